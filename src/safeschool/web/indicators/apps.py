from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    """Official indicators: Eurostat's early leavers from education and training (sdg_04_10, edat_lfse_14 and the
    regional edat_lfse_16) imported from the files people download, with their flags and breaks in series, and the
    public pages that place each country against the EU's 2030 target (below 9 %) and the 2020 one (below 10 %).
    Reads the research registry (the network's own early-leaving figures, shown beside as a different measure)."""

    name = "safeschool.web.indicators"
    label = "indicators"
    verbose_name = "Official indicators"
