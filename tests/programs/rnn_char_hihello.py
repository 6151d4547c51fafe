# Teach an LSTM to say "ihello" after "hihell" (a character-level RNN lab), unrolled with
# tf.nn.static_rnn.
import numpy as np
import tensorflow as tf

tf.set_random_seed(777)
idx2char = ["h", "i", "e", "l", "o"]
x_data = [[0, 1, 0, 2, 3, 3]]  # hihell
x_one_hot = np.eye(5, dtype=np.float32)[x_data]
y_data = [[1, 0, 2, 3, 3, 4]]  # ihello

num_classes = 5
input_dim = 5
hidden_size = 5
batch_size = 1
sequence_length = 6

X = tf.placeholder(tf.float32, [None, sequence_length, input_dim])
Y = tf.placeholder(tf.int32, [None, sequence_length])

cell = tf.nn.rnn_cell.BasicLSTMCell(num_units=hidden_size, state_is_tuple=True)
inputs = tf.unstack(X, sequence_length, 1)
outputs, _states = tf.nn.static_rnn(cell, inputs, dtype=tf.float32)
outputs = tf.stack(outputs, axis=1)

X_for_fc = tf.reshape(outputs, [-1, hidden_size])
W = tf.get_variable("fc_w", [hidden_size, num_classes])
b = tf.get_variable("fc_b", [num_classes], initializer=tf.zeros_initializer())
logits = tf.reshape(tf.matmul(X_for_fc, W) + b, [batch_size, sequence_length, num_classes])
loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=Y, logits=logits))
train = tf.train.AdamOptimizer(learning_rate=0.1).minimize(loss)
prediction = tf.argmax(logits, axis=2)
print([v.name for v in tf.trainable_variables()])

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for i in range(40):
        l, _ = sess.run([loss, train], feed_dict={X: x_one_hot, Y: y_data})
        if i % 10 == 0 or i == 39:
            result = sess.run(prediction, feed_dict={X: x_one_hot})
            print(i, "loss: {:.4f}".format(l), "prediction:", result, "true Y:", y_data)
            print("\tPrediction str:", "".join([idx2char[c] for c in np.squeeze(result)]))
