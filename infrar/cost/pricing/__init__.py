"""Per-region prices from the clouds' own price APIs (``infrar cost --fetch-prices``) and the user's
price files (``cost_prices/`` beside project.yaml, ``--prices FILE``). See docs/cost.md, Fetched prices."""
