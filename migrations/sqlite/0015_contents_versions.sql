-- A kitchen's contents version changes in the same transaction as any change to its
-- desserts, their photos, its labels or the links between them, whoever makes it (the app,
-- an import, another server process on the same file). A server keeps a page of the list
-- it has read under the kitchen's id and this version, and uses it again only while the
-- version it reads with the session is the same. The versions come from one counter and
-- are never given out twice, so a kitchen made with the id of a deleted one cannot meet
-- the other's pages.
CREATE TABLE contents_versions (last INTEGER NOT NULL);
INSERT INTO contents_versions (last) VALUES (0);

ALTER TABLE kitchens ADD COLUMN contents_version INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER kitchens_made AFTER INSERT ON kitchens BEGIN
    UPDATE contents_versions SET last = last + 1;
    UPDATE kitchens SET contents_version = (SELECT last FROM contents_versions) WHERE id = NEW.id;
END;

CREATE TRIGGER desserts_added AFTER INSERT ON desserts BEGIN
    UPDATE contents_versions SET last = last + 1;
    UPDATE kitchens SET contents_version = (SELECT last FROM contents_versions) WHERE id = NEW.kitchen_id;
END;
CREATE TRIGGER desserts_changed AFTER UPDATE ON desserts BEGIN
    UPDATE contents_versions SET last = last + 1;
    UPDATE kitchens SET contents_version = (SELECT last FROM contents_versions) WHERE id IN (OLD.kitchen_id, NEW.kitchen_id);
END;
CREATE TRIGGER desserts_removed AFTER DELETE ON desserts BEGIN
    UPDATE contents_versions SET last = last + 1;
    UPDATE kitchens SET contents_version = (SELECT last FROM contents_versions) WHERE id = OLD.kitchen_id;
END;

CREATE TRIGGER photos_added AFTER INSERT ON photos BEGIN
    UPDATE contents_versions SET last = last + 1;
    UPDATE kitchens SET contents_version = (SELECT last FROM contents_versions)
    WHERE id = (SELECT kitchen_id FROM desserts WHERE desserts.id = NEW.dessert_id);
END;
CREATE TRIGGER photos_changed AFTER UPDATE ON photos BEGIN
    UPDATE contents_versions SET last = last + 1;
    UPDATE kitchens SET contents_version = (SELECT last FROM contents_versions)
    WHERE id IN (SELECT kitchen_id FROM desserts WHERE desserts.id IN (OLD.dessert_id, NEW.dessert_id));
END;
CREATE TRIGGER photos_removed AFTER DELETE ON photos BEGIN
    UPDATE contents_versions SET last = last + 1;
    UPDATE kitchens SET contents_version = (SELECT last FROM contents_versions)
    WHERE id = (SELECT kitchen_id FROM desserts WHERE desserts.id = OLD.dessert_id);
END;

CREATE TRIGGER labels_added AFTER INSERT ON labels BEGIN
    UPDATE contents_versions SET last = last + 1;
    UPDATE kitchens SET contents_version = (SELECT last FROM contents_versions) WHERE id = NEW.kitchen_id;
END;
CREATE TRIGGER labels_changed AFTER UPDATE ON labels BEGIN
    UPDATE contents_versions SET last = last + 1;
    UPDATE kitchens SET contents_version = (SELECT last FROM contents_versions) WHERE id IN (OLD.kitchen_id, NEW.kitchen_id);
END;
CREATE TRIGGER labels_removed AFTER DELETE ON labels BEGIN
    UPDATE contents_versions SET last = last + 1;
    UPDATE kitchens SET contents_version = (SELECT last FROM contents_versions) WHERE id = OLD.kitchen_id;
END;

CREATE TRIGGER dessert_labels_added AFTER INSERT ON dessert_labels BEGIN
    UPDATE contents_versions SET last = last + 1;
    UPDATE kitchens SET contents_version = (SELECT last FROM contents_versions) WHERE id = NEW.kitchen_id;
END;
CREATE TRIGGER dessert_labels_changed AFTER UPDATE ON dessert_labels BEGIN
    UPDATE contents_versions SET last = last + 1;
    UPDATE kitchens SET contents_version = (SELECT last FROM contents_versions) WHERE id IN (OLD.kitchen_id, NEW.kitchen_id);
END;
CREATE TRIGGER dessert_labels_removed AFTER DELETE ON dessert_labels BEGIN
    UPDATE contents_versions SET last = last + 1;
    UPDATE kitchens SET contents_version = (SELECT last FROM contents_versions) WHERE id = OLD.kitchen_id;
END;
