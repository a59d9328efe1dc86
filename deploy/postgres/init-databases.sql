-- The two databases of the compose stack's PostgreSQL (docker-compose.postgres.yml), owned by its superuser; the
-- services' Flyway migrations create the tables at their first start.
CREATE DATABASE clean;
CREATE DATABASE analytics;
