# The Japanese tutorial series' habit: reset the graph through tensorflow.python.framework.ops
# before each experiment, and look at the names the graph gives.
import tensorflow as tf
from tensorflow.python.framework import ops

for trial in range(2):
    ops.reset_default_graph()
    g = ops.get_default_graph()
    a = tf.constant(2, name="a")
    b = tf.constant(3, name="b")
    with tf.name_scope("calc"):
        c = tf.add(a, b)
        d = tf.multiply(c, b, name="d")
    with tf.variable_scope("model"):
        v = tf.get_variable("v", [2], initializer=tf.constant_initializer([1.0, 2.0]))
    ops.add_to_collection("results", d)
    print(trial, [op.name for op in g.get_operations()])
    print(ops.get_collection("results"), v.name)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        print(sess.run([c, d, v]))
