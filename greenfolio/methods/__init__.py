"""Calculation methods: pure, versioned functions from field data and reference tables to
convention-grade quantities. ``registry`` lists them; services store each run."""
