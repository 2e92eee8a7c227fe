"""Demographic cues: names, pronouns and affiliations per sex and EEO-1 race/ethnicity.

Names follow the correspondence-study method (Bertrand & Mullainathan, 2004): first and
last names that US readers commonly associate with a group. They are signals, not facts
about any person; see docs/compliance.md for the limits.
"""

from __future__ import annotations

FIRST_NAMES: dict[tuple[str, str], tuple[str, ...]] = {
    ("Male", "White"): ("Greg", "Brad", "Todd", "Connor", "Jake"),
    ("Female", "White"): ("Emily", "Allison", "Katie", "Meredith", "Claire"),
    ("Male", "Black or African American"): ("Darnell", "Jamal", "Tyrone", "DeShawn", "Malik"),
    ("Female", "Black or African American"): ("Lakisha", "Tanisha", "Aaliyah", "Imani", "Ebony"),
    ("Male", "Hispanic or Latino"): ("José", "Alejandro", "Luis", "Carlos", "Diego"),
    ("Female", "Hispanic or Latino"): ("María", "Guadalupe", "Alejandra", "Lucía", "Ximena"),
    ("Male", "Asian"): ("Wei", "Hiroshi", "Minh", "Sanjay", "Jae-won"),
    ("Female", "Asian"): ("Mei", "Yuki", "Priya", "Thuy", "Ji-yeon"),
    ("Male", "Native Hawaiian or Pacific Islander"): (
        "Keoni",
        "Kainoa",
        "Makoa",
        "Sione",
        "Tevita",
    ),
    ("Female", "Native Hawaiian or Pacific Islander"): (
        "Leilani",
        "Malia",
        "Kalani",
        "Mele",
        "Noelani",
    ),
    ("Male", "Native American or Alaska Native"): ("Ahiga", "Chayton", "Kele", "Elan", "Istu"),
    ("Female", "Native American or Alaska Native"): (
        "Winona",
        "Aiyana",
        "Nizhoni",
        "Aponi",
        "Tallulah",
    ),
}

SURNAMES: dict[str, tuple[str, ...]] = {
    "White": ("Baker", "Walsh", "Sullivan", "Murphy", "Olson"),
    "Black or African American": ("Washington", "Jefferson", "Booker", "Banks", "Jackson"),
    "Hispanic or Latino": ("Hernández", "García", "Martínez", "Rodríguez", "López"),
    "Asian": ("Nguyen", "Kim", "Chen", "Patel", "Wang"),
    "Native Hawaiian or Pacific Islander": ("Kealoha", "Kahananui", "Fonoti", "Tupou", "Kamakau"),
    "Native American or Alaska Native": ("Begay", "Yazzie", "Tsosie", "Benally", "Whitehorse"),
}

AFFILIATIONS: dict[str, tuple[str, ...]] = {
    "White": (
        "Volunteer, Sons of Norway lodge",
        "Member, Irish American heritage society",
        "Volunteer, Polish American cultural club",
    ),
    "Black or African American": (
        "Member, National Black MBA Association",
        "Member, National Society of Black Engineers",
        "Volunteer, African American history museum",
    ),
    "Hispanic or Latino": (
        "Member, Prospanica (Association of Hispanic Professionals)",
        "Hispanic Scholarship Fund scholar",
        "Volunteer, Latino community center",
    ),
    "Asian": (
        "Member, Ascend Pan-Asian professional network",
        "Volunteer, Chinatown community center",
        "Member, Asian American professional association",
    ),
    "Native Hawaiian or Pacific Islander": (
        "Member, Hawaiian civic club",
        "Pacific Islander student association alumni",
        "Volunteer, Native Hawaiian chamber of commerce",
    ),
    "Native American or Alaska Native": (
        "Member, American Indian Science and Engineering Society",
        "American Indian College Fund scholar",
        "Volunteer, tribal community center",
    ),
    "Two or More Races": (
        "Member, multiracial professionals network",
        "Mixed-heritage alumni association",
        "Volunteer, multicultural family association",
    ),
}

PRONOUNS = {"Male": "he/him", "Female": "she/her"}
