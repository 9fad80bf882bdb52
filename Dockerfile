# The project installed from its lock, on the Python version CI tests.
FROM python:3.11.7-slim-bookworm
ENV PYTHONUNBUFFERED=1 GX_ANALYTICS_ENABLED=false AIRFLOW_HOME=/opt/airflow
RUN apt-get update \
 && apt-get install --yes --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/climate-contract
COPY requirements.lock pyproject.toml setup.py MANIFEST.in README.md ./
RUN pip install --no-cache-dir uv==0.13.8 \
 && uv pip install --system --no-cache --compile-bytecode -r requirements.lock
COPY src ./src
COPY dags ./dags
COPY sql ./sql
COPY expectations ./expectations
COPY reference ./reference
RUN uv pip install --system --no-cache --no-deps -e . \
 && mkdir -p /opt/airflow/secrets /data/shared /data/published
