"""Apple Podcasts' category list (categories and their subcategories), as Apple publishes it."""

from __future__ import annotations

APPLE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "Arts": (
        "Books",
        "Design",
        "Fashion & Beauty",
        "Food",
        "Performing Arts",
        "Visual Arts",
    ),
    "Business": (
        "Careers",
        "Entrepreneurship",
        "Investing",
        "Management",
        "Marketing",
        "Non-Profit",
    ),
    "Comedy": ("Comedy Interviews", "Improv", "Stand-Up"),
    "Education": ("Courses", "How To", "Language Learning", "Self-Improvement"),
    "Fiction": ("Comedy Fiction", "Drama", "Science Fiction"),
    "Government": (),
    "History": (),
    "Health & Fitness": (
        "Alternative Health",
        "Fitness",
        "Medicine",
        "Mental Health",
        "Nutrition",
        "Sexuality",
    ),
    "Kids & Family": ("Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"),
    "Leisure": (
        "Animation & Manga",
        "Automotive",
        "Aviation",
        "Crafts",
        "Games",
        "Hobbies",
        "Home & Garden",
        "Video Games",
    ),
    "Music": ("Music Commentary", "Music History", "Music Interviews"),
    "News": (
        "Business News",
        "Daily News",
        "Entertainment News",
        "News Commentary",
        "Politics",
        "Sports News",
        "Tech News",
    ),
    "Religion & Spirituality": (
        "Buddhism",
        "Christianity",
        "Hinduism",
        "Islam",
        "Judaism",
        "Religion",
        "Spirituality",
    ),
    "Science": (
        "Astronomy",
        "Chemistry",
        "Earth Sciences",
        "Life Sciences",
        "Mathematics",
        "Natural Sciences",
        "Nature",
        "Physics",
        "Social Sciences",
    ),
    "Society & Culture": (
        "Documentary",
        "Personal Journals",
        "Philosophy",
        "Places & Travel",
        "Relationships",
    ),
    "Sports": (
        "Baseball",
        "Basketball",
        "Cricket",
        "Fantasy Sports",
        "Football",
        "Golf",
        "Hockey",
        "Rugby",
        "Running",
        "Soccer",
        "Swimming",
        "Tennis",
        "Volleyball",
        "Wilderness",
        "Wrestling",
    ),
    "Technology": (),
    "True Crime": (),
    "TV & Film": ("After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"),
}

# Apple's names before its 2019 revision, as older feeds still carry them: (category,
# subcategory or None) -> today's (category, subcategory or None).
RENAMED: dict[tuple[str, str | None], tuple[str, str | None]] = {
    ("Games & Hobbies", None): ("Leisure", None),
    ("Games & Hobbies", "Automotive"): ("Leisure", "Automotive"),
    ("Games & Hobbies", "Aviation"): ("Leisure", "Aviation"),
    ("Games & Hobbies", "Hobbies"): ("Leisure", "Hobbies"),
    ("Games & Hobbies", "Other Games"): ("Leisure", "Games"),
    ("Games & Hobbies", "Video Games"): ("Leisure", "Video Games"),
    ("Science & Medicine", None): ("Science", None),
    ("Science & Medicine", "Medicine"): ("Health & Fitness", "Medicine"),
    ("Science & Medicine", "Natural Sciences"): ("Science", "Natural Sciences"),
    ("Science & Medicine", "Social Sciences"): ("Science", "Social Sciences"),
    ("Technology", "Tech News"): ("News", "Tech News"),
    ("Technology", "Gadgets"): ("Technology", None),
    ("Technology", "Podcasting"): ("Technology", None),
    ("Technology", "Software How-To"): ("Technology", None),
    ("Education", "Educational Technology"): ("Education", None),
    ("Education", "Higher Education"): ("Education", "Courses"),
    ("Education", "K-12"): ("Education", None),
    ("Education", "Training"): ("Education", "How To"),
    ("Education", "Language Courses"): ("Education", "Language Learning"),
    ("Business", "Business News"): ("News", "Business News"),
    ("Business", "Shopping"): ("Business", None),
    ("Health", None): ("Health & Fitness", None),
    ("Health", "Fitness & Nutrition"): ("Health & Fitness", "Nutrition"),
    ("Health", "Alternative Health"): ("Health & Fitness", "Alternative Health"),
    ("Health", "Self-Help"): ("Education", "Self-Improvement"),
    ("Health", "Sexuality"): ("Health & Fitness", "Sexuality"),
    ("News & Politics", None): ("News", None),
    ("Government & Organizations", None): ("Government", None),
    ("Sports & Recreation", None): ("Sports", None),
    ("Sports & Recreation", "Amateur"): ("Sports", None),
    ("Sports & Recreation", "Outdoor"): ("Sports", "Wilderness"),
    ("Sports & Recreation", "Professional"): ("Sports", None),
    ("Society & Culture", "History"): ("History", None),
    ("Arts", "Literature"): ("Arts", "Books"),
    ("Arts", "Food"): ("Arts", "Food"),
    ("Religion & Spirituality", "Other"): ("Religion & Spirituality", None),
}


def current_category(name: str, sub: str | None) -> tuple[str, str | None] | None:
    """The category of Apple's list today for a feed's (category, subcategory), or None.

    >>> current_category("Games & Hobbies", "Video Games")
    ('Leisure', 'Video Games')
    >>> current_category("Technology", "Podcasting")
    ('Technology', None)
    >>> current_category("Society & Culture", "Philosophy")
    ('Society & Culture', 'Philosophy')
    """
    if (name, sub) in RENAMED:
        return RENAMED[(name, sub)]
    if name in APPLE_CATEGORIES:
        return (name, sub if sub in APPLE_CATEGORIES[name] else None)
    return RENAMED.get((name, None))
