"""/sitemap.xml and /robots.txt. Each domain with public pages registers a SitemapSource."""
