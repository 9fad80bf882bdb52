-- Separate databases and owners for Airflow's metadata and the warehouse.
-- Sample passwords: replace them in any real deployment.
CREATE ROLE airflow LOGIN PASSWORD 'airflow';
CREATE DATABASE airflow OWNER airflow;
CREATE ROLE warehouse LOGIN PASSWORD 'warehouse';
CREATE DATABASE warehouse OWNER warehouse;
