-- The years trajectories are published for: every year of the contract from
-- 2015 (ref.years ends with the contract's last year), so that money of any
-- year a partner may declare finds the carbon its axis avoids by then.
SELECT year FROM {{ source("ref", "years") }} WHERE year >= 2015
