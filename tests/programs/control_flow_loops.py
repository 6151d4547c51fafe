# Loops inside the graph: tf.while_loop (with a tf.cond in its body), tf.map_fn, tf.scan, tf.foldl.
import tensorflow as tf

i = tf.constant(1)
acc = tf.constant(1)
_, factorial = tf.while_loop(lambda i, acc: i <= 5, lambda i, acc: (i + 1, acc * i), [i, acc])

x = tf.constant([1.0, 2.0, 3.0, 4.0])
squares = tf.map_fn(lambda v: v * v, x)
running = tf.scan(lambda a, v: a + v, x)
total = tf.foldl(lambda a, v: a + v, x, initializer=0.0)

n = tf.placeholder(tf.int32, [])


def collatz_step(n, steps):
    n = tf.cond(tf.equal(n % 2, 0), lambda: n // 2, lambda: 3 * n + 1)
    return n, steps + 1


collatz = tf.while_loop(lambda n, steps: n > 1, collatz_step, [n, 0])

with tf.Session() as sess:
    print("5! =", sess.run(factorial))
    print("squares:", sess.run(squares))
    print("running sum:", sess.run(running))
    print("total:", sess.run(total))
    print("collatz(27) takes", sess.run(collatz, {n: 27})[1], "steps")
    print(factorial.name, squares.name, running.name)
