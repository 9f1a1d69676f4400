"""The School Evaluation Questionnaire (issue 16): dimensions, subdimensions and indicators defined in versioned YAML
beside this package (``questionnaire.py`` reads and checks them). Pure: no Django."""
