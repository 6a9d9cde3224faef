-- Who started each directory run (the admin's email, or the scheduler's label), for the console's run history.
ALTER TABLE directory_runs ADD COLUMN started_by TEXT;
