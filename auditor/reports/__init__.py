"""Writers: the Excel scorecard, the JSON Lines results, the terminal views."""
