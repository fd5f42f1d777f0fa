-- Relations that PostGraphile needs to serve the benchmark's AOM page, applied to
-- the benchmark database only. `journeys` has no foreign key to `operators`, so
-- a smart tag declares one. Communes are keyed by (year, code) while a journey
-- stores the code alone, so computed columns return the communes of 2022.
COMMENT ON TABLE journeys IS E'@foreignKey (operator_id) references operators (id)';

CREATE OR REPLACE FUNCTION journeys_start_commune(j journeys) RETURNS communes
LANGUAGE sql STABLE
AS $$ SELECT c.* FROM communes c WHERE c.year = 2022 AND c.code = j.start_com $$;

CREATE OR REPLACE FUNCTION journeys_end_commune(j journeys) RETURNS communes
LANGUAGE sql STABLE
AS $$ SELECT c.* FROM communes c WHERE c.year = 2022 AND c.code = j.end_com $$;

-- PostGraphile does not list the foreign key of operator_incentives, which
-- references the partitioned journeys table, as a relation of Journey.
CREATE OR REPLACE FUNCTION journeys_incentives(j journeys)
RETURNS SETOF operator_incentives
LANGUAGE sql STABLE
AS $$ SELECT i.* FROM operator_incentives i WHERE i.journey_id = j.id ORDER BY i.index $$;
