<?xml version="1.0" encoding="UTF-8"?>
<!-- Shows feed.xml as a page when a browser opens it; podcast apps ignore it. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">
<xsl:output method="html" encoding="UTF-8" indent="yes"/>
<xsl:template match="/rss/channel">
<html lang="{{ show.language }}">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title><xsl:value-of select="title"/> · {{ t.rss }}</title>
<link rel="stylesheet" href="{{ paths.STYLE | href }}"/>
</head>
<body>
<main id="main">
<section class="show-intro">
  <img class="cover" src="{image/url}" alt="" width="160" height="160"/>
  <div>
    <h1><xsl:value-of select="title"/></h1>
    <p class="feed-intro">{{ t.feed_intro }}</p>
    <p><label>{{ t.feed_url }}{{ t.colon }} <input type="text" readonly="readonly" value="{{ show.feed_url }}"/></label></p>
    <p><a href="{link}">{{ t.website }}</a></p>
  </div>
</section>
<h2>{{ t.episodes }}</h2>
<ol class="episode-list">
  <xsl:for-each select="item">
    <li><article>
      <h3><a href="{link}"><xsl:value-of select="title"/></a></h3>
      <p class="meta"><xsl:value-of select="pubDate"/></p>
      <p><xsl:value-of select="itunes:summary"/></p>
    </article></li>
  </xsl:for-each>
</ol>
</main>
</body>
</html>
</xsl:template>
</xsl:stylesheet>
