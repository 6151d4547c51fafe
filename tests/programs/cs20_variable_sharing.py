# Variable sharing the way the CS20-style lectures show it: get_variable, reuse, AUTO_REUSE,
# and a two-tower model whose towers share their dense layers.
import tensorflow as tf

tf.set_random_seed(2)


def two_hidden_layers(x):
    h1 = tf.layers.dense(x, 5, activation=tf.nn.relu, name="h1")
    return tf.layers.dense(h1, 3, name="h2")


x1 = tf.truncated_normal([4, 6], name="x1")
x2 = tf.truncated_normal([4, 6], name="x2")
with tf.variable_scope("two_layers", reuse=tf.AUTO_REUSE):
    logits1 = two_hidden_layers(x1)
    logits2 = two_hidden_layers(x2)

with tf.variable_scope("counter") as scope:
    c = tf.get_variable("c", [], initializer=tf.zeros_initializer())
    scope.reuse_variables()
    c_again = tf.get_variable("c")
print(c is c_again, c.name)
try:
    with tf.variable_scope("counter"):
        tf.get_variable("c", [])
except ValueError as e:
    print("ValueError:", str(e).splitlines()[0])

print([v.name for v in tf.global_variables()])
print(logits1.name, logits2.name)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    a, b = sess.run([logits1, logits2])
    print(a.shape, b.shape, "%.4f" % a.sum(), "%.4f" % b.sum())
