-- The currency each person's prices are shown in (ISO 4217, one of domain::Currency's);
-- every account until now priced in US dollars.
ALTER TABLE users ADD COLUMN currency TEXT NOT NULL DEFAULT 'USD' CHECK (length(currency) = 3);
