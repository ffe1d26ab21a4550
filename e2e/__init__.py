"""Browser test and README screenshots of the development Home Assistant."""
