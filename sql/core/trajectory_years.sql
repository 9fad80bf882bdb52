-- The years trajectories are published for: the plan's horizon.
SELECT year FROM ref.years WHERE year BETWEEN 2015 AND 2050
