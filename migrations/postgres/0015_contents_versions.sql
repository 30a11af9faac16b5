-- A kitchen's contents version changes in the same transaction as any change to its
-- desserts, their photos, its labels or the links between them, whoever makes it (the app,
-- an import, another server process on the same database). A server keeps a page of the
-- list it has read under the kitchen's id and this version, and uses it again only while
-- the version it reads with the session is the same. The versions come from one sequence
-- and are never given out twice, so a kitchen made with the id of a deleted one cannot
-- meet the other's pages.
CREATE SEQUENCE contents_versions;

ALTER TABLE kitchens ADD COLUMN contents_version BIGINT NOT NULL DEFAULT nextval('contents_versions');

-- One version for all the changes of one transaction: a kitchen's row is then updated once
-- however many rows the transaction changes (thousands of labels in one form), where a
-- new value for each would pile up thousands of versions of that one row.
CREATE FUNCTION transaction_contents_version() RETURNS BIGINT LANGUAGE plpgsql AS $$
DECLARE
    version TEXT := current_setting('desserts.contents_version', true);
BEGIN
    IF version IS NULL OR version = '' THEN
        version := nextval('contents_versions')::TEXT;
        PERFORM set_config('desserts.contents_version', version, true);
    END IF;
    RETURN version::BIGINT;
END
$$;

CREATE FUNCTION kitchen_contents_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    version BIGINT := transaction_contents_version();
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE kitchens SET contents_version = version WHERE id = OLD.kitchen_id AND contents_version <> version;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE kitchens SET contents_version = version WHERE id = NEW.kitchen_id AND contents_version <> version;
    END IF;
    RETURN NULL;
END
$$;

-- Photos name their dessert, not its kitchen.
CREATE FUNCTION photo_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    version BIGINT := transaction_contents_version();
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE kitchens SET contents_version = version
        WHERE id = (SELECT kitchen_id FROM desserts WHERE desserts.id = OLD.dessert_id) AND contents_version <> version;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE kitchens SET contents_version = version
        WHERE id = (SELECT kitchen_id FROM desserts WHERE desserts.id = NEW.dessert_id) AND contents_version <> version;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER desserts_contents AFTER INSERT OR UPDATE OR DELETE ON desserts
    FOR EACH ROW EXECUTE FUNCTION kitchen_contents_changed();
CREATE TRIGGER labels_contents AFTER INSERT OR UPDATE OR DELETE ON labels
    FOR EACH ROW EXECUTE FUNCTION kitchen_contents_changed();
CREATE TRIGGER dessert_labels_contents AFTER INSERT OR UPDATE OR DELETE ON dessert_labels
    FOR EACH ROW EXECUTE FUNCTION kitchen_contents_changed();
CREATE TRIGGER photos_contents AFTER INSERT OR UPDATE OR DELETE ON photos
    FOR EACH ROW EXECUTE FUNCTION photo_changed();
