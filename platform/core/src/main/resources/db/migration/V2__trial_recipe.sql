-- Strata results schema, version 2: the recipe each trial trained with, as JSON, now that
-- recipe.lr and recipe.weight_decay can be searched per trial. Keys as in the search-space YAML:
-- {"steps":..,"batch":..,"lr":..,"weight_decay":..,"warmup":..,"min_lr_ratio":..,"eval_every":..,
--  "grad_clip":..,"time_limit":..,"seed":..}. NULL for trials recorded before this version.

ALTER TABLE trial ADD COLUMN recipe JSON;
