"""Cost: price a project.yaml on every provider from ``cost_models/<provider>.yaml``, side by side.

Formulas are evaluated by the whitelist evaluator in ``infrar.cost.formula`` (never ``eval``);
models are loaded and checked by ``infrar.cost.models``; ``infrar.cost.estimate`` prices a
Project and ``infrar.cost.report`` renders the result as a table, JSON, CSV or Markdown.
"""
