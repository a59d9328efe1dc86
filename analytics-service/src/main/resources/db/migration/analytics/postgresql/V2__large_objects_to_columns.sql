-- A database created by Hibernate's ddl-auto before migrations holds the three long values (a job's definition, a
-- result row's aggregates, a checkpoint's window state) as PostgreSQL large objects: the column is an oid, the value
-- lives in pg_largeobject, and replacing or deleting the row leaves the old object behind for good (each batch that
-- rewrote a result row left one). This moves every value into an ordinary text (UTF-8, as the driver wrote it) or
-- bytea column and unlinks the objects. A schema created by V1 has no oid column: nothing happens there.
DO $$
DECLARE
    col record;
BEGIN
    FOR col IN
        SELECT c.table_name, c.column_name, c.is_nullable = 'NO' AS required,
               CASE WHEN c.column_name = 'state' THEN 'bytea' ELSE 'text' END AS new_type
        FROM information_schema.columns c
        WHERE c.table_schema = current_schema() AND c.data_type = 'oid'
          AND (c.table_name, c.column_name) IN (('analytics_job', 'definition'), ('analytics_result', 'aggregates'),
                                                ('analytics_checkpoint', 'state'))
    LOOP
        EXECUTE format('ALTER TABLE %I RENAME COLUMN %I TO large_object', col.table_name, col.column_name);
        EXECUTE format('ALTER TABLE %I ADD COLUMN %I %s', col.table_name, col.column_name, col.new_type);
        IF col.new_type = 'bytea' THEN
            EXECUTE format('UPDATE %I SET %I = lo_get(large_object) WHERE large_object IS NOT NULL',
                           col.table_name, col.column_name);
        ELSE
            EXECUTE format('UPDATE %I SET %I = convert_from(lo_get(large_object), ''UTF8'') '
                           || 'WHERE large_object IS NOT NULL', col.table_name, col.column_name);
        END IF;
        EXECUTE format('SELECT lo_unlink(large_object) FROM %I WHERE large_object IS NOT NULL', col.table_name);
        EXECUTE format('ALTER TABLE %I DROP COLUMN large_object', col.table_name);
        IF col.required THEN
            EXECUTE format('ALTER TABLE %I ALTER COLUMN %I SET NOT NULL', col.table_name, col.column_name);
        END IF;
    END LOOP;
END
$$;
