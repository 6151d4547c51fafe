"""Jupyter widgets: see the graph, step a Session, plot summaries.

``GraphView(graph_or_session)``, ``Stepper(sess, fetches, feed_dict=None)``,
``GradientFlow(recorder)`` and ``SummaryPlot(logdir_or_writer)`` are anywidget widgets: Python
halves here, browser halves built from the top-level ``widgets/src`` folder into ``static/``
(``make bundle``).

>>> import teachflow as tf
>>> from teachflow.widgets import Stepper
>>> tf.reset_default_graph()
>>> counter = tf.Variable(0, name="counter")
>>> update = tf.assign(counter, counter + 1)
>>> Stepper(tf.Session(), update)  # doctest: +SKIP
"""

from __future__ import annotations

from teachflow.widgets.gradientflow import GradientFlow
from teachflow.widgets.graphview import GraphView, Preview
from teachflow.widgets.stepper import Stepper
from teachflow.widgets.summaryplot import SummaryPlot

__all__ = ["GradientFlow", "GraphView", "Preview", "Stepper", "SummaryPlot"]
