"""People: staff members, their registry ids and the credentials they hold."""
