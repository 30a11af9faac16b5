-- A menu keeps its public link when it is unpublished, so that publishing it again brings
-- back the same link and printed QR codes work again: `public_slug` is the link (NULL until
-- the menu is first published) and `published` says whether the page answers. Menus
-- published until now stay published.
ALTER TABLE menus ADD COLUMN published BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE menus SET published = TRUE WHERE public_slug IS NOT NULL;

-- The owner orders a menu's desserts: `position` 1, 2, ... within a menu. Menus made until
-- now keep the order they showed, by name.
ALTER TABLE menu_desserts ADD COLUMN position BIGINT NOT NULL DEFAULT 0;
UPDATE menu_desserts SET position = ranked.n
FROM (SELECT menu_desserts.menu_id, menu_desserts.dessert_id,
             row_number() OVER (PARTITION BY menu_desserts.menu_id ORDER BY desserts.name_key, desserts.id) AS n
      FROM menu_desserts JOIN desserts ON desserts.id = menu_desserts.dessert_id) AS ranked
WHERE ranked.menu_id = menu_desserts.menu_id AND ranked.dessert_id = menu_desserts.dessert_id;

-- The name a person's published menus are headed by (a café's name); NULL when not set.
ALTER TABLE users ADD COLUMN public_name TEXT;
