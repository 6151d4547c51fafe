# Softmax classification of 7 animal classes with one_hot labels of shape (?, 1, 7), fed to the
# cross-entropy both reshaped and as they are (TensorFlow flattens the outer dimensions).
import numpy as np
import tensorflow as tf

tf.set_random_seed(777)
rng = np.random.RandomState(3)
nb_classes = 7
centers = rng.randint(0, 2, size=(nb_classes, 16)).astype(np.float32)
y_data = rng.randint(0, nb_classes, size=(60, 1))
x_data = (centers[y_data[:, 0]] + 0.3 * rng.randn(60, 16)).astype(np.float32)

X = tf.placeholder(tf.float32, [None, 16])
Y = tf.placeholder(tf.int32, [None, 1])
Y_one_hot = tf.one_hot(Y, nb_classes)
print("one_hot:", Y_one_hot)
Y_flat = tf.reshape(Y_one_hot, [-1, nb_classes])
print("reshape:", Y_flat)

W = tf.Variable(tf.random_normal([16, nb_classes]), name="weight")
b = tf.Variable(tf.random_normal([nb_classes]), name="bias")
logits = tf.matmul(X, W) + b
hypothesis = tf.nn.softmax(logits)

cost_i = tf.nn.softmax_cross_entropy_with_logits_v2(logits=logits, labels=tf.stop_gradient(Y_flat))
cost = tf.reduce_mean(cost_i)
unflattened = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=logits, labels=Y_one_hot))
optimizer = tf.train.GradientDescentOptimizer(learning_rate=0.1).minimize(cost)

prediction = tf.argmax(hypothesis, 1)
correct_prediction = tf.equal(prediction, tf.argmax(Y_flat, 1))
accuracy = tf.reduce_mean(tf.cast(correct_prediction, tf.float32))

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(501):
        sess.run(optimizer, feed_dict={X: x_data, Y: y_data})
        if step % 100 == 0:
            loss, same, acc = sess.run([cost, unflattened, accuracy], feed_dict={X: x_data, Y: y_data})
            print("Step: {:5}\tLoss: {:.4f}\tSame: {:.4f}\tAcc: {:.2%}".format(step, loss, same, acc))
    pred = sess.run(prediction, feed_dict={X: x_data})
    for p, y in list(zip(pred, y_data.flatten()))[:5]:
        print("[{}] Prediction: {} True Y: {}".format(p == int(y), p, int(y)))
