-- Strata results schema, version 3: what a multi-objective, multi-fidelity, resumable search
-- records, and views for analysis with plain SQL. See docs/results-schema.md.

-- Objectives and constraints of the search, as written in its space (NULL: the single objective
-- val_loss, minimised, and no constraints). Metric names are `metric.name` values.
--   objectives:  'val_loss:min,params:min'
--   constraints: 'params<=2000000;flops_per_token<=5e5'
ALTER TABLE search ADD COLUMN objectives VARCHAR(1000);
ALTER TABLE search ADD COLUMN constraints VARCHAR(1000);

-- Multi-fidelity: the rung a trial ran at (0 = the shortest runs; a promoted candidate runs again
-- at rung 1, 2, ... with more steps). Its steps are in trial.recipe.
ALTER TABLE trial ADD COLUMN rung INT DEFAULT 0 NOT NULL;
-- Resume: how many results the strategy had been told when it proposed this trial, and the
-- position in which this trial's result was told to it (NULL until then). Replaying these two
-- orders after a crash rebuilds the strategy exactly as it was, whatever the worker timing.
ALTER TABLE trial ADD COLUMN told_before INT;
ALTER TABLE trial ADD COLUMN told_order INT;

-- Lineage: one row per child with a parent, and how the mutation changed the validation loss.
CREATE VIEW lineage AS
SELECT c.search_id,
       c.id              AS child_id,
       c.generation      AS child_generation,
       c.parent_trial_id AS parent_id,
       p.val_loss        AS parent_val_loss,
       c.val_loss        AS child_val_loss,
       c.val_loss - p.val_loss AS val_loss_change,
       p.summary         AS parent_summary,
       c.summary         AS child_summary
FROM trial c JOIN trial p ON p.id = c.parent_trial_id;

-- Per search, slot (kind) and component: trials using it (once per trial, in any layer), mean and
-- best validation loss, mean parameter count. Only trials that finished (ok or cached).
CREATE VIEW component_stats AS
SELECT t.search_id,
       c.slot AS kind,
       c.component_id,
       COUNT(*) AS trials,
       CAST(AVG(t.val_loss) AS DOUBLE PRECISION) AS mean_val_loss,
       MIN(t.val_loss) AS best_val_loss,
       CAST(AVG(t.params) AS DOUBLE PRECISION) AS mean_params
FROM (SELECT DISTINCT trial_id, slot, component_id FROM trial_component) c
JOIN trial t ON t.id = c.trial_id
WHERE t.status = ANY (ARRAY['ok', 'cached']) AND t.val_loss IS NOT NULL
GROUP BY t.search_id, c.slot, c.component_id;

-- Per search: the finished trials no other finished trial of the same search beats on both
-- validation loss and parameter count (the default two objectives; `strata results pareto`
-- handles any objectives and the search's constraints).
CREATE VIEW pareto_front AS
SELECT t.search_id, t.id AS trial_id, t.val_loss, t.params, t.val_accuracy, t.summary
FROM trial t
WHERE t.status = ANY (ARRAY['ok', 'cached']) AND t.val_loss IS NOT NULL AND t.params IS NOT NULL
  AND NOT EXISTS (
    SELECT 1 FROM trial o
    WHERE o.search_id = t.search_id AND o.status = ANY (ARRAY['ok', 'cached'])
      AND o.val_loss IS NOT NULL AND o.params IS NOT NULL
      AND o.val_loss <= t.val_loss AND o.params <= t.params
      AND (o.val_loss < t.val_loss OR o.params < t.params));
