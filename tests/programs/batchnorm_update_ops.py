# Batch normalization with tf.layers: the moving averages update through UPDATE_OPS, and a
# placeholder switches between training and inference.
import numpy as np
import tensorflow as tf

tf.set_random_seed(11)
rng = np.random.RandomState(11)
x_data = (rng.randn(64, 5) * 3 + 2).astype(np.float32)
y_data = (x_data.sum(1, keepdims=True) > 10).astype(np.float32)

x = tf.placeholder(tf.float32, [None, 5])
y = tf.placeholder(tf.float32, [None, 1])
is_training = tf.placeholder(tf.bool, name="is_training")
h = tf.layers.dense(x, 8)
h = tf.layers.batch_normalization(h, training=is_training, momentum=0.9)
h = tf.nn.relu(h)
logits = tf.layers.dense(h, 1)
loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits))

update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
print([op.name for op in update_ops])
with tf.control_dependencies(update_ops):
    train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)

moving_mean = [v for v in tf.global_variables() if "moving_mean" in v.name][0]
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(60):
        l, _ = sess.run([loss, train_op], {x: x_data, y: y_data, is_training: True})
        if step % 20 == 0:
            print(step, "%.4f" % l, np.round(sess.run(moving_mean)[:3], 3))
    print("inference loss %.4f" % sess.run(loss, {x: x_data, y: y_data, is_training: False}))
print([v.name for v in tf.global_variables()])
