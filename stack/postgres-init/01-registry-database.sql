-- The schema registry keeps its schemas in a database of its own on the county's PostgreSQL, so a
-- registry restart loses none of the schema ids recorded in Kafka (docker-compose.yml).
-- PostgreSQL runs this only when it initialises an empty data volume; on an existing volume run it once by hand.
CREATE DATABASE registry OWNER countyhub;
