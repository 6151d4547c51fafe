# Linear regression fed by tf.data, in the style of a CS20 lecture: one epoch per run of the
# iterator's initializer, until tf.errors.OutOfRangeError ends it.
import numpy as np
import tensorflow as tf

# birth rate vs life expectancy, a small made-up table with the lecture's shape
data = np.array(
    [[1.8, 74.1], [2.4, 70.2], [5.6, 58.3], [1.5, 77.9], [3.1, 66.0], [6.2, 55.1],
     [2.0, 72.8], [4.4, 61.7], [1.3, 79.5], [3.7, 64.2], [2.8, 68.9], [5.0, 59.6]],
    dtype=np.float32,
)
dataset = tf.data.Dataset.from_tensor_slices((data[:, 0], data[:, 1]))
dataset = dataset.batch(4)
print(dataset.output_types)
iterator = dataset.make_initializable_iterator()
X, Y = iterator.get_next()

w = tf.get_variable("weights", initializer=tf.constant(0.0))
b = tf.get_variable("bias", initializer=tf.constant(0.0))
Y_predicted = X * w + b
loss = tf.reduce_mean(tf.square(Y - Y_predicted, name="loss"))
optimizer = tf.train.GradientDescentOptimizer(learning_rate=0.02).minimize(loss)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for i in range(40):
        sess.run(iterator.initializer)
        total_loss = 0
        try:
            while True:
                _, l = sess.run([optimizer, loss])
                total_loss += l
        except tf.errors.OutOfRangeError:
            pass
        if i % 10 == 0:
            print("Epoch {0}: {1:.4f}".format(i, total_loss / 3))
    w_out, b_out = sess.run([w, b])
    print("w: %f, b: %f" % (w_out, b_out))
