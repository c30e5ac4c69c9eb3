"""The library as a whole: inventory (import), integrity check and repair of links; the maintenance commands."""
