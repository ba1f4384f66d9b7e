"""Part II's page views: one module per page (its figures, tables and explorers); they read stored data only."""
