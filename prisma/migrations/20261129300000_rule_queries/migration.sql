-- Rules become full-text queries (libs/core/src/rule-query.ts). Each rule's terms are carried
-- over as the query that says the same: every allTerms phrase, one of the anyTerms phrases,
-- none of the noneTerms phrases (legacyTermsToQuery does the same in TypeScript).
ALTER TABLE "Rule" ADD COLUMN "query" TEXT;

CREATE FUNCTION "rule_query_phrase"(term TEXT) RETURNS TEXT LANGUAGE sql AS $$
  SELECT '"' || string_agg(word, ' ' ORDER BY position) || '"'
    FROM regexp_split_to_table(replace(term, '"', ' '), '\s+') WITH ORDINALITY AS split(word, position)
   WHERE word ~ '[[:alnum:]]'
$$;

UPDATE "Rule" SET "query" = concat_ws(' ',
  (SELECT string_agg(phrase, ' ' ORDER BY position) FROM (SELECT "rule_query_phrase"(term) AS phrase, position FROM unnest("allTerms") WITH ORDINALITY AS t(term, position)) AS p WHERE phrase IS NOT NULL),
  (SELECT CASE WHEN count(*) = 1 THEN min(phrase) WHEN count(*) > 1 THEN '(' || string_agg(phrase, ' OR ' ORDER BY position) || ')' END
     FROM (SELECT "rule_query_phrase"(term) AS phrase, position FROM unnest("anyTerms") WITH ORDINALITY AS t(term, position)) AS p WHERE phrase IS NOT NULL),
  (SELECT string_agg('-' || phrase, ' ' ORDER BY position) FROM (SELECT "rule_query_phrase"(term) AS phrase, position FROM unnest("noneTerms") WITH ORDINALITY AS t(term, position)) AS p WHERE phrase IS NOT NULL)
);

-- A rule without allTerms or anyTerms matched nothing; it stays so, disabled, its query kept for an analyst to finish.
UPDATE "Rule" SET "enabled" = false
 WHERE NOT EXISTS (SELECT 1 FROM unnest("allTerms" || "anyTerms") AS t(term) WHERE term ~ '[[:alnum:]]');

DROP FUNCTION "rule_query_phrase"(TEXT);

ALTER TABLE "Rule" ALTER COLUMN "query" SET NOT NULL;
ALTER TABLE "Rule" DROP COLUMN "allTerms", DROP COLUMN "anyTerms", DROP COLUMN "noneTerms";

-- When an analyst last changed the rule through the API: null means the rule is as the seed
-- wrote it, which a newer seed may then improve. Rules changed after creation before this
-- column existed count as edited.
ALTER TABLE "Rule" ADD COLUMN "editedAt" TIMESTAMP(3);
UPDATE "Rule" SET "editedAt" = "updatedAt" WHERE "updatedAt" > "createdAt" + interval '1 second';

-- Every item's words, stemmed (english), title weighted above summary, for rules, search and ranking.
ALTER TABLE "SignalItem" ADD COLUMN "searchVector" tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector('english', "title"), 'A') || setweight(to_tsvector('english', coalesce("summary", '')), 'B')
) STORED;

-- Not expressible in schema.prisma (GIN): full-text search over items and evidence summaries.
CREATE INDEX "SignalItem_searchVector_idx" ON "SignalItem" USING GIN ("searchVector");
CREATE INDEX "Evidence_summary_search_idx" ON "Evidence" USING GIN (to_tsvector('english', "summary"));
