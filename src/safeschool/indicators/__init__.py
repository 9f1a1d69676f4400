"""Official indicators from Eurostat (early leavers from education and training) read from its published files, and
the EU targets they are measured against (pure Python: no Django)."""
