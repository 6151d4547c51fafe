# Teach an RNN to spell "tensor" from "_tenso" (a character-level lab): one-hot characters go
# through tf.nn.dynamic_rnn, a softmax layer reads every step's output. The second sequence is
# shorter: sequence_length stops it early, and its padded steps output zeros. Both words start
# after "_", so the first letter stays a guess ("tose"): the loss cannot reach 0.
import numpy as np
import tensorflow as tf

tf.set_random_seed(2024)
chars = ["_", "t", "e", "n", "s", "o", "r"]
char2idx = {c: i for i, c in enumerate(chars)}
sample_in = ["_tenso", "_rose_"]
sample_out = ["tensor", "rose__"]
lengths = [6, 4]

x_data = [[char2idx[c] for c in s] for s in sample_in]
y_data = [[char2idx[c] for c in s] for s in sample_out]
x_one_hot = np.eye(len(chars), dtype=np.float32)[x_data]

hidden_size = 8
num_classes = len(chars)
seq_len = 6

X = tf.placeholder(tf.float32, [None, seq_len, num_classes])
Y = tf.placeholder(tf.int32, [None, seq_len])
L = tf.placeholder(tf.int32, [None])

cell = tf.nn.rnn_cell.GRUCell(num_units=hidden_size)
outputs, state = tf.nn.dynamic_rnn(cell, X, sequence_length=L, dtype=tf.float32)
print(outputs.name, outputs.shape, state.shape)

W = tf.get_variable("softmax_w", [hidden_size, num_classes])
b = tf.get_variable("softmax_b", [num_classes], initializer=tf.zeros_initializer())
flat = tf.reshape(outputs, [-1, hidden_size])
logits = tf.reshape(tf.matmul(flat, W) + b, [-1, seq_len, num_classes])
mask = tf.sequence_mask(L, seq_len, dtype=tf.float32)
xent = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=Y, logits=logits)
loss = tf.reduce_sum(xent * mask) / tf.reduce_sum(mask)
train = tf.train.AdamOptimizer(learning_rate=0.05).minimize(loss)
prediction = tf.argmax(logits, axis=2)
print([v.name for v in tf.trainable_variables()])

feed = {X: x_one_hot, Y: y_data, L: lengths}
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(60):
        cost, _ = sess.run([loss, train], feed_dict=feed)
        if step % 20 == 0 or step == 59:
            result = sess.run(prediction, feed_dict=feed)
            words = ["".join(chars[c] for c in row[:n]) for row, n in zip(result, lengths)]
            print(step, f"loss: {cost:.4f}", "prediction:", words)
    out, last = sess.run([outputs, state], feed_dict=feed)
    print("padded steps are zero:", bool(np.all(out[1, 4:] == 0)))
    print("final state is the last real step:", bool(np.allclose(last[1], out[1, 3])))
