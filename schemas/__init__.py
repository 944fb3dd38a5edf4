"""The JSON Schemas of the course file formats, shipped inside the moocpack package as data."""
