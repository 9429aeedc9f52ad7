"""Key figures by sex (DESIGN §2–§4, issue 14): the indicator catalogue, observations, importers
(Kolada's API format, CSV, XLSX) and the gap analysis. Depends only on `reference`."""
