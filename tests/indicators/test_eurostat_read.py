"""Eurostat's files read exactly: each small file below is written as Eurostat publishes it, and the observations it
must give are written out by hand (geo, year, value, flags, dims)."""

from __future__ import annotations

import gzip

from safeschool.indicators.eurostat import Observation, read

ESL = (("freq", "A"), ("unit", "PC"), ("sex", "T"), ("age", "Y18-24"))
ESL_F = (("freq", "A"), ("unit", "PC"), ("sex", "F"), ("age", "Y18-24"))

# sdg_04_10 as the bulk download writes it: years with a trailing space, values padded, flags after a space
TSV = (
    "freq,unit,sex,age,geo\\TIME_PERIOD\t2019 \t2020 \t2021 \n"
    "A,PC,F,Y18-24,EL\t3.1 \t: c\t2.9 b\n"
    "A,PC,T,Y18-24,EL\t4.1 \t3.8 p\t3.2 bp\n"
    "A,PC,T,Y18-24,EU27_2020\t10.2 \t:\t9.7 b\n"
    "A,PC,T,Y18-24,MT\t16.7 u\t: u\t10.7 ub\n"
)
TSV_EXPECTED = [
    Observation("sdg_04_10", "EL", 2019, 3.1, "", ESL_F),
    Observation("sdg_04_10", "EL", 2020, None, "c", ESL_F),
    Observation("sdg_04_10", "EL", 2021, 2.9, "b", ESL_F),
    Observation("sdg_04_10", "EL", 2019, 4.1, "", ESL),
    Observation("sdg_04_10", "EL", 2020, 3.8, "p", ESL),
    Observation("sdg_04_10", "EL", 2021, 3.2, "bp", ESL),
    Observation("sdg_04_10", "EU27_2020", 2019, 10.2, "", ESL),
    Observation("sdg_04_10", "EU27_2020", 2020, None, "", ESL),
    Observation("sdg_04_10", "EU27_2020", 2021, 9.7, "b", ESL),
    Observation("sdg_04_10", "MT", 2019, 16.7, "u", ESL),
    Observation("sdg_04_10", "MT", 2020, None, "u", ESL),
    Observation("sdg_04_10", "MT", 2021, 10.7, "bu", ESL),
]


def test_bulk_tsv_with_flags_missing_values_and_breaks():
    release = read(TSV, name="estat_sdg_04_10.tsv")
    assert release.ok, release.errors
    assert (release.dataset, release.format) == ("sdg_04_10", "tsv")
    assert release.dimensions == ["freq", "unit", "sex", "age", "geo"]
    assert release.observations == TSV_EXPECTED


def test_gzipped_bytes_and_a_path_read_the_same(tmp_path):
    data = gzip.compress(TSV.encode())
    assert read(data, name="estat_sdg_04_10.tsv.gz").observations == TSV_EXPECTED
    path = tmp_path / "estat_sdg_04_10.tsv.gz"
    path.write_bytes(data)
    release = read(path)
    assert release.dataset == "sdg_04_10" and release.observations == TSV_EXPECTED


def test_older_header_with_geo_time_descending_years_and_no_freq():
    text = ("unit,sex,age,geo\\time\t2012 \t2011 \n"
            "PC,T,Y18-24,ES\t24.7 \t26.3 b\n")
    release = read(text, dataset="edat_lfse_14")
    dims = (("unit", "PC"), ("sex", "T"), ("age", "Y18-24"))
    assert release.observations == [Observation("edat_lfse_14", "ES", 2012, 24.7, "", dims),
                                    Observation("edat_lfse_14", "ES", 2011, 26.3, "b", dims)]


def test_labour_status_dimension_and_observation_properties():
    text = ("freq,unit,sex,age,wstatus,geo\\TIME_PERIOD\t2023 \n"
            "A,PC,M,Y18-24,POP,EL30\t5.0 bu\n"
            "A,PC,M,Y18-24,EMP,EA20\t4.5 \n")
    regional, aggregate = read(text, name="edat_lfse_14.tsv").observations
    assert regional.dims == (("freq", "A"), ("unit", "PC"), ("sex", "M"), ("age", "Y18-24"), ("wstatus", "POP"))
    assert (regional.sex, regional.age, regional.unit, regional.other) == ("M", "Y18-24", "PC", "wstatus=POP")
    assert regional.break_in_series and not aggregate.break_in_series
    assert (regional.country, aggregate.country) == ("EL", "")
    assert aggregate.other == "wstatus=EMP"
    assert Observation("sdg_04_10", "EL", 2020, 1.0, "", ESL).other == ""


def test_sdmx_csv_1_0_with_labels_quoting_and_missing_values():
    text = ('DATAFLOW,LAST UPDATE,freq,unit,sex,age,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG\n'
            '"ESTAT:EDAT_LFSE_16(1.0)","23/04/24 23:00:00",A,PC,T,Y18-24,"ES11:Galicia",2019,17.3,b\n'
            'ESTAT:EDAT_LFSE_16(1.0),23/04/24 23:00:00,A,PC,T,Y18-24,"ES:Spain, the country",2019 ,,c\n'
            'ESTAT:EDAT_LFSE_16(1.0),23/04/24 23:00:00,A,PC,F,Y18-24,ES,2020,12.5,bp\n')
    release = read(text.encode())
    assert release.ok, release.errors
    assert (release.dataset, release.format) == ("edat_lfse_16", "sdmx-csv")
    assert release.observations == [Observation("edat_lfse_16", "ES11", 2019, 17.3, "b", ESL),
                                    Observation("edat_lfse_16", "ES", 2019, None, "c", ESL),
                                    Observation("edat_lfse_16", "ES", 2020, 12.5, "bp", ESL_F)]


def test_sdmx_csv_2_0_with_action_and_confidentiality_status():
    text = ("STRUCTURE,STRUCTURE_ID,ACTION,freq,unit,sex,age,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG,CONF_STATUS\n"
            "dataflow,ESTAT:SDG_04_10(1.0),I,A,PC,T,Y18-24,EL,2023,4.1,,F\n"
            "dataflow,ESTAT:SDG_04_10(1.0),I,A,PC,T,Y18-24,MT,2023,,u,C\n"
            "dataflow,ESTAT:SDG_04_10(1.0),I,A,PC,T,Y18-24,PT,2023,8.0,e,\n")
    release = read(text, name="sdg_04_10_sdmx.csv")
    assert release.ok, release.errors
    assert release.dimensions == ["freq", "unit", "sex", "age", "geo"]
    assert release.observations == [Observation("sdg_04_10", "EL", 2023, 4.1, "", ESL),
                                    Observation("sdg_04_10", "MT", 2023, None, "cu", ESL),
                                    Observation("sdg_04_10", "PT", 2023, 8.0, "e", ESL)]


def test_windows_line_ends_and_a_byte_order_mark_change_nothing():
    assert read(("\ufeff" + TSV.replace("\n", "\r\n")).encode(), name="sdg_04_10.tsv").observations == TSV_EXPECTED
    text = ("\ufeffDATAFLOW,LAST UPDATE,freq,unit,sex,age,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG\r\n"
            "ESTAT:SDG_04_10(1.0),x,A,PC,T,Y18-24,EL,2019,4.1,b\r\n")
    assert read(text.encode("utf-8")).observations == [Observation("sdg_04_10", "EL", 2019, 4.1, "b", ESL)]
