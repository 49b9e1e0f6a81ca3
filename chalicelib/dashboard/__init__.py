"""The leaders' dashboard (issue #13, item 4): figures of a period read from
counters only, and the hourly overdue snapshot that keeps one of them."""
