#!/usr/bin/env bash
# First start of the PostgreSQL container: Airflow's metadata database and the
# warehouse, each with its own owner, and the warehouse's login roles (their
# rights are given by `climate-contract create-roles` in the airflow-init service).
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username postgres <<SQL
CREATE ROLE airflow LOGIN PASSWORD '${AIRFLOW_DB_PASSWORD}';
CREATE DATABASE airflow OWNER airflow;
CREATE DATABASE warehouse;
CREATE ROLE climate_contract_loader LOGIN PASSWORD '${WAREHOUSE_LOADER_PASSWORD}';
CREATE ROLE climate_contract_steward LOGIN PASSWORD '${WAREHOUSE_STEWARD_PASSWORD}';
CREATE ROLE climate_contract_analyst LOGIN PASSWORD '${WAREHOUSE_ANALYST_PASSWORD}';
SQL
