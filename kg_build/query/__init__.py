"""The catalogue of ready-made queries: headers, parameters, running a query by name."""
