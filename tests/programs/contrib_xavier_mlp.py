# An MLP of the course labs' "NN for MNIST" chapter: xavier_initializer from tf.contrib, and the
# same layer once more with tf.contrib.layers.fully_connected.
import numpy as np
import tensorflow as tf

tf.set_random_seed(777)
rng = np.random.RandomState(777)
x_data = rng.randn(128, 10).astype(np.float32)
y_data = np.eye(3, dtype=np.float32)[(x_data[:, 0] > 0).astype(int) + (x_data[:, 1] > 1)]

X = tf.placeholder(tf.float32, [None, 10])
Y = tf.placeholder(tf.float32, [None, 3])
keep_prob = tf.placeholder(tf.float32)

W1 = tf.get_variable("W1", shape=[10, 32], initializer=tf.contrib.layers.xavier_initializer())
b1 = tf.Variable(tf.random_normal([32]))
L1 = tf.nn.relu(tf.matmul(X, W1) + b1)
L1 = tf.nn.dropout(L1, keep_prob=keep_prob)
L2 = tf.contrib.layers.fully_connected(L1, 16, weights_regularizer=tf.contrib.layers.l2_regularizer(0.01))
hypothesis = tf.contrib.layers.fully_connected(L2, 3, activation_fn=None)

reg = tf.losses.get_regularization_loss()
cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(logits=hypothesis, labels=Y)) + reg
optimizer = tf.train.AdamOptimizer(learning_rate=0.01).minimize(cost)
correct = tf.equal(tf.argmax(hypothesis, 1), tf.argmax(Y, 1))
accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))

print([v.name for v in tf.trainable_variables()])
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for epoch in range(100):
        c, _ = sess.run([cost, optimizer], feed_dict={X: x_data, Y: y_data, keep_prob: 0.7})
    print("cost went down:", c < 1.0)
    print("Accuracy above 0.8:", sess.run(accuracy, feed_dict={X: x_data, Y: y_data, keep_prob: 1.0}) > 0.8)
