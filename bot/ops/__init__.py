"""Operations: JSON logs and Prometheus metrics."""
