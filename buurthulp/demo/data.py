"""The people, places and requests of the demo organisations, as plain data.

Everything here is pure Python: no database, no clock. `volunteer_specs(slug)` and
`resident_specs(slug)` draw from the lists below with a `random.Random` seeded per organisation,
so every run produces exactly the same people with the same wishes. Times are offsets ("created
12 days ago at 10:40", "in 9 days"); netwerken.demo turns them into dates only when it creates a
row, so the data does not change on a second run on another day.

Names and addresses are invented (street names are real-ish for the neighbourhood, house numbers
and postcodes' letters are not looked up): any resemblance to a real person is a coincidence.
"""

import random
import re
import unicodedata

# --- places -------------------------------------------------------------------------------------------

# Per organisation: areas (name, centre latitude, centre longitude, PC4 postcodes, streets) and the
# local names requests mention. PC4s are unique within an organisation (AreaPostcode's constraint).
ORGANISATION_DATA = {
    "oranjekwartier": {
        "seed": 3401,
        "landline": "03068",  # IJsselstein: 030-68x xxxx
        "areas": [
            (
                "Oranjekwartier",
                52.0228,
                5.0466,
                ["3401", "3400"],
                [
                    "Julianastraat",
                    "Wilhelminastraat",
                    "Emmalaan",
                    "Prins Hendriklaan",
                    "Bernhardlaan",
                    "Oranjelaan",
                    "Beatrixlaan",
                ],
            ),
            (
                "Europakwartier",
                52.0179,
                5.0362,
                ["3402"],
                ["Engelandlaan", "Frankrijklaan", "Zwedenlaan", "Noorwegenlaan", "Denemarkenlaan", "Italiëlaan"],
            ),
            (
                "Binnenstad",
                52.0205,
                5.0428,
                ["3403"],
                ["Benschopperstraat", "Weidstraat", "Overtoom", "Walkade", "Molenstraat", "Utrechtsestraat"],
            ),
            ("Zenderpark", 52.0120, 5.0460, ["3404"], ["Marconilaan", "Morsestraat", "Philipslaan", "Zenderlaan"]),
        ],
        "places": {
            "ziekenhuis": "het St. Antonius Ziekenhuis in Nieuwegein",
            "ziekenhuis_adres": "St. Antonius Ziekenhuis, Nieuwegein",
            "park": "het Kronenburgplantsoen",
            "park_adres": "Kronenburgplantsoen",
            "markt": "de vrijdagmarkt in de binnenstad",
            "winkel": "de Albert Heijn",
        },
        # background → weight, for volunteers and for residents
        "volunteer_mix": {"nl": 70, "ma": 10, "tr": 8, "sr": 5, "pl": 4, "en": 3},
        "resident_mix": {"nl": 75, "ma": 10, "tr": 8, "sr": 4, "pl": 3},
    },
    "lombok": {
        "seed": 3531,
        "landline": "0302",  # Utrecht: 030-2xx xxxx
        "areas": [
            (
                "Lombok-Oost",
                52.0921,
                5.1047,
                ["3531"],
                ["Kanaalstraat", "Damstraat", "Bankastraat", "Bantamstraat", "Sumatrastraat", "Javastraat"],
            ),
            (
                "Lombok-West",
                52.0942,
                5.0979,
                ["3532"],
                ["Vleutenseweg", "Balistraat", "Billitonkade", "Atjehstraat", "Riouwstraat", "Ternatestraat"],
            ),
            (
                "Kanaleneiland-Noord",
                52.0797,
                5.0985,
                ["3526"],
                ["Marshalllaan", "Rooseveltlaan", "Churchilllaan", "Trumanlaan", "Briandlaan"],
            ),
            (
                "Oog in Al",
                52.0879,
                5.0918,
                ["3533"],
                ["Thomas à Kempisweg", "Cornelis Trooststraat", "Breitnerlaan", "Mesdaglaan", "Jozef Israëlslaan"],
            ),
        ],
        "places": {
            "ziekenhuis": "het UMC Utrecht",
            "ziekenhuis_adres": "UMC Utrecht, Heidelberglaan",
            "park": "park Oog in Al",
            "park_adres": "Park Oog in Al",
            "markt": "de markt op het Vredenburgplein",
            "winkel": "de supermarkt aan de Kanaalstraat",
        },
        "volunteer_mix": {"nl": 50, "ma": 18, "tr": 14, "sr": 8, "pl": 5, "en": 5},
        "resident_mix": {"nl": 42, "ma": 25, "tr": 18, "sr": 8, "pl": 5, "en": 2},
    },
    # "Een extraatje bijverdienen": helpers who look for work earn a modest fee per job or per hour.
    "achterveld": {
        "seed": 3402,
        "landline": "03068",
        "areas": [
            (
                "Achterveld",
                52.0262,
                5.0318,
                ["3402"],
                ["Symfonielaan", "Operalaan", "Sonatelaan", "Balletlaan", "Concertlaan", "Menuetlaan"],
            ),
            (
                "Nije Veld",
                52.0297,
                5.0402,
                ["3401"],
                ["Vijverlaan", "Eikenlaan", "Lindenlaan", "Berkenlaan", "Wilgenlaan", "Beukenlaan"],
            ),
            (
                "Kasteel Weide",
                52.0150,
                5.0535,
                ["3404"],
                ["Kasteellaan", "Slotlaan", "Torenlaan", "Poortlaan", "Ridderlaan"],
            ),
            ("Groenvliet", 52.0190, 5.0250, ["3403"], ["Rietlaan", "Lisdoddelaan", "Kroosweg", "Waterlaan"]),
        ],
        "places": {
            "ziekenhuis": "het St. Antonius Ziekenhuis in Nieuwegein",
            "ziekenhuis_adres": "St. Antonius Ziekenhuis, Nieuwegein",
            "park": "het Groenvlietpark",
            "park_adres": "Groenvlietpark",
            "markt": "de vrijdagmarkt in de binnenstad",
            "winkel": "de Jumbo in het Achterveld",
        },
        "volunteer_mix": {"nl": 62, "ma": 14, "tr": 10, "sr": 6, "pl": 5, "en": 3},
        "resident_mix": {"nl": 70, "ma": 12, "tr": 9, "sr": 5, "pl": 4},
    },
}

VOLUNTEERS_PER_ORGANISATION = 40
RESIDENTS_PER_ORGANISATION = 55
REQUESTS_PER_ORGANISATION = 60

# --- names --------------------------------------------------------------------------------------------

DUTCH_SURNAMES = [
    "de Vries", "van Dijk", "Jansen", "de Jong", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder",
    "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra",
    "de Graaf", "van der Meer", "van der Linden", "Kok", "Jacobs", "de Haan", "Vermeulen", "van den Berg",
    "van der Heijden", "Schouten", "van Beek", "Willems", "van Vliet", "van de Ven", "Hoekstra", "Maas",
    "Verhoeven", "Koster", "van Dam", "van der Wal", "Prins", "Blom", "Huisman", "de Bruijn", "van 't Hof",
    "Kuipers", "Post", "Timmermans", "van Wijk", "Verbeek", "Kramer", "van Rijn", "Scholten", "Uitenbogaard",
    "van Zuylen", "ter Haar", "van Schaik", "Oosterom", "de Kruijf", "van Vulpen",
]  # fmt: skip

# background → (female first names, male first names, surnames, languages a volunteer speaks,
#               languages a resident may prefer besides Dutch)
BACKGROUNDS = {
    "nl": (
        [
            "Anouk", "Sanne", "Lotte", "Femke", "Eva", "Iris", "Marloes", "Esther", "Linda", "Sophie", "Lieke",
            "Maaike", "Ilse", "Annemiek", "Marian", "Petra", "Ingrid", "Monique", "Carla", "Wilma", "Hanneke",
        ],
        [
            "Daan", "Thijs", "Bram", "Joost", "Ruben", "Niels", "Sander", "Jeroen", "Bas", "Martijn", "Wouter",
            "Pieter", "Gert-Jan", "Rob", "Erik", "Hans", "Frank", "Paul", "Arjan", "Maarten", "Koen",
        ],
        DUTCH_SURNAMES,
        [["nl"], ["nl"], ["nl"], ["nl", "en"], ["nl", "en"], ["nl", "de"], ["nl", "en", "fr"]],
        [],
    ),
    "ma": (
        ["Fatima", "Khadija", "Naima", "Samira", "Hanane", "Yasmina", "Malika", "Nadia", "Loubna", "Souad"],
        ["Mohamed", "Ahmed", "Youssef", "Karim", "Rachid", "Mustafa", "Hamza", "Bilal", "Said", "Ilias"],
        [
            "El Amrani", "Bouzid", "El Idrissi", "Ait Taleb", "Benali", "Ouali", "El Khattabi", "Aarab",
            "Boukhari", "Azzouz", "Ziani", "El Bouazzaoui",
        ],
        [["nl", "ar"], ["nl", "ar", "ber"], ["nl", "ber"], ["nl", "ar", "fr"]],
        ["ar", "ber"],
    ),
    "tr": (
        ["Ayşe", "Fatma", "Emine", "Elif", "Zeynep", "Hatice", "Büşra", "Esra", "Merve", "Songül"],
        ["Mehmet", "Mustafa", "Ahmet", "Hasan", "Hüseyin", "Murat", "Emre", "Kemal", "Yusuf", "Ibrahim"],
        ["Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Öztürk", "Aydın", "Arslan", "Doğan", "Koç"],
        [["nl", "tr"], ["nl", "tr"], ["nl", "tr", "en"]],
        ["tr"],
    ),
    "sr": (
        ["Shanti", "Priya", "Gracia", "Marlene", "Sharda", "Rachna", "Jennifer", "Ingrid", "Sandra"],
        ["Ravi", "Rajesh", "Errol", "Glenn", "Ricardo", "Orlando", "Sunil", "Roy", "Anand"],
        ["Ramdin", "Sedney", "Biharie", "Doelwijt", "Pinas", "Mahabier", "Ramsaran", "Lachmon", "Kromodikoro"],
        [["nl"], ["nl", "srn"], ["nl", "srn", "en"]],
        ["srn"],
    ),
    "pl": (
        ["Agnieszka", "Katarzyna", "Magdalena", "Joanna", "Anna", "Ewa"],
        ["Piotr", "Tomasz", "Krzysztof", "Paweł", "Marek", "Łukasz"],
        # masculine/feminine forms
        ["Kowalski/Kowalska", "Nowak/Nowak", "Wiśniewski/Wiśniewska", "Wójcik/Wójcik", "Kamiński/Kamińska",
         "Lewandowski/Lewandowska", "Zieliński/Zielińska"],
        [["pl", "en"], ["pl", "en", "nl"], ["pl", "nl"]],
        ["pl"],
    ),
    "en": (
        ["Emily", "Sarah", "Rachel", "Olena", "Iryna"],
        ["James", "David", "Thomas", "Oleksandr", "Dmytro"],
        ["Walker", "O'Brien", "Thompson", "Kovalenko", "Shevchenko", "Bondarenko"],
        [["en"], ["en", "nl"], ["en", "uk"]],
        ["en"],
    ),
}  # fmt: skip

# Residents who phone in are often older; their Dutch first names are of another generation.
OLDER_DUTCH_FIRST_NAMES = (
    ["Gerda", "Annie", "Riet", "Truus", "Ria", "Joke", "Willy", "Corrie", "Tineke", "Greet", "Bep", "Ans", "Els",
     "Anneke", "Ineke", "Nel", "Dini", "Hennie", "Jopie", "Marijke"],
    ["Henk", "Jan", "Kees", "Piet", "Gerrit", "Wim", "Cor", "Bert", "Theo", "Ton", "Frans", "Jaap", "Gijs", "Dirk",
     "Klaas", "Harry", "Joop", "Arie", "Herman", "Evert"],
)  # fmt: skip

# --- what volunteers offer --------------------------------------------------------------------------------

BOODSCHAPPEN = "Boodschappen"
VERVOER = "Vervoer en ziekenhuisvervoer"
KLUSJES = "Klusjes"
TUIN = "Tuin"
BEZOEK = "Bezoek en gezelschap"
KOKEN = "Koken en maaltijden"
ADMINISTRATIE = "Administratie en post"
COMPUTER = "Computer en telefoon"
WANDELEN = "Wandelen"
VOG_CATEGORIES = (BEZOEK, ADMINISTRATIE)  # requires_vog in netwerken.services.DEFAULT_CATEGORIES

# How often volunteers pick a category (drawn without replacement, 1–3 each).
CATEGORY_WEIGHTS = {
    BOODSCHAPPEN: 10, VERVOER: 8, KLUSJES: 7, TUIN: 5, BEZOEK: 8, KOKEN: 4, ADMINISTRATIE: 4, COMPUTER: 6,
    WANDELEN: 5,
}  # fmt: skip

OFFERS = {
    BOODSCHAPPEN: [
        "Ik doe op maandag mijn eigen boodschappen en neem graag iets mee voor een buur.",
        "Ik kan op zaterdagochtend boodschappen doen bij {winkel} of op {markt}.",
        "Ik haal graag medicijnen op bij de apotheek als iemand dat zelf niet kan.",
    ],
    VERVOER: [
        "Ik rijd dinsdags naar het ziekenhuis en kan iemand meenemen.",
        "Ik heb een auto en breng mensen overdag naar de huisarts, de fysio of {ziekenhuis}.",
        "Ik kan een opvouwbare rolstoel in mijn auto meenemen.",
    ],
    KLUSJES: [
        "Ik ben handig met klusjes: lampen ophangen, kastjes in elkaar zetten, kleine reparaties.",
        "Ik heb een boormachine en een trap; kleine klusjes in huis doe ik graag.",
        "Rookmelders ophangen of vervangen, een lekkende kraan: bel me maar.",
    ],
    TUIN: [
        "Ik help graag in de tuin: heg knippen, gras maaien, onkruid wieden.",
        "Eén keer per maand een tuintje bijhouden, met mijn eigen gereedschap.",
    ],
    BEZOEK: [
        "Ik kom graag een keer per week op de koffie voor een praatje.",
        "Ik speel graag een spelletje of lees voor aan iemand die slecht ziet.",
        "Ik ben een goede luisteraar en kom graag langs bij iemand die veel alleen is.",
    ],
    KOKEN: [
        "Ik kook graag en maak een extra portie voor een buur.",
        "Samen koken en eten op woensdagavond, bij jou of bij mij.",
    ],
    ADMINISTRATIE: [
        "Ik help met post, formulieren en de bank (ik was boekhouder).",
        "Ik kan helpen met toeslagen en brieven van de gemeente.",
    ],
    COMPUTER: [
        "Ik help met de computer en de telefoon.",
        "Ik leg geduldig uit hoe videobellen, WhatsApp en DigiD werken.",
        "Nieuwe telefoon of tablet? Ik help met instellen en de eerste stappen.",
    ],
    WANDELEN: [
        "Ik wandel elke ochtend en loop graag met iemand mee, ook met een rollator.",
        "Ik zoek een wandelmaatje voor een rondje door {park}.",
    ],
}

# Weekly rhythms: the slots a kind of volunteer is free (see netwerken.availability).
WEEKDAYS = ["ma", "di", "wo", "do", "vr"]
RHYTHMS = [
    # (weight, days to pick from, how many days, parts)
    (4, WEEKDAYS, (2, 4), ["ochtend", "middag"]),  # retired: weekday daytime
    (3, WEEKDAYS, (1, 3), ["avond"]),  # working: evenings ...
    (3, ["za", "zo"], (1, 2), ["ochtend", "middag"]),  # ... and weekends
    (2, WEEKDAYS, (1, 3), ["middag"]),  # students, part-timers
    (1, ["ma", "di", "wo", "do", "vr", "za", "zo"], (3, 5), ["ochtend", "middag", "avond"]),  # flexible
]

# --- what residents ask ----------------------------------------------------------------------------------

ONE_OFF, RECURRING, EITHER = "eenmalig", "terugkerend", "beide"

# (category, description, kind, location key or "")
REQUESTS = [
    (BOODSCHAPPEN, "Wekelijks boodschappen doen bij {winkel}; mevrouw maakt zelf een lijstje.", RECURRING, ""),
    (BOODSCHAPPEN, "Boodschappen halen: na mijn heupoperatie kom ik de deur nog niet uit.", EITHER, ""),
    (BOODSCHAPPEN, "Iemand die mee wil naar {markt} en helpt met de tassen dragen.", EITHER, ""),
    (BOODSCHAPPEN, "Medicijnen ophalen bij de apotheek; ze liggen klaar op naam.", ONE_OFF, ""),
    (BOODSCHAPPEN, "Zware boodschappen (water, melk, kattenbakkorrels) om de week.", RECURRING, ""),
    (VERVOER, "Vervoer naar {ziekenhuis} voor een controle op de poli, en weer terug.", ONE_OFF, "ziekenhuis"),
    (VERVOER, "Naar de fysiotherapeut brengen en weer ophalen.", RECURRING, ""),
    (VERVOER, "Meerijden naar de huisarts; ik kan maar een klein stukje lopen.", ONE_OFF, ""),
    (VERVOER, "Rit naar de begraafplaats om het graf van mijn man te bezoeken.", EITHER, ""),
    (VERVOER, "Begeleiding naar {ziekenhuis} voor een oogonderzoek: na afloop mag mevrouw niet fietsen.", ONE_OFF,
     "ziekenhuis"),
    (KLUSJES, "Lamp ophangen in de woonkamer en een gordijnrail vastzetten.", ONE_OFF, ""),
    (KLUSJES, "Rookmelder vervangen; ik kan niet meer op een trap staan.", ONE_OFF, ""),
    (KLUSJES, "Kastje in elkaar zetten dat mijn kleinzoon heeft besteld.", ONE_OFF, ""),
    (KLUSJES, "De kraan in de keuken lekt; kan iemand er een nieuw rubbertje in zetten?", ONE_OFF, ""),
    (KLUSJES, "Kledingkast verplaatsen naar de slaapkamer beneden (zwaar, twee mensen nodig).", ONE_OFF, ""),
    (TUIN, "Heg knippen in de voortuin en het groenafval wegbrengen.", ONE_OFF, ""),
    (TUIN, "Tuin winterklaar maken: bladeren harken en de potten binnenzetten.", ONE_OFF, ""),
    (TUIN, "Gras maaien, om de week zolang het groeit.", RECURRING, ""),
    (TUIN, "Onkruid wieden tussen de tegels in de achtertuin.", EITHER, ""),
    (BEZOEK, "Meneer is sinds het overlijden van zijn vrouw veel alleen; hij zou graag elke week iemand op de "
     "koffie hebben.", RECURRING, ""),
    (BEZOEK, "Mevrouw zoekt iemand om samen rummikub te spelen en een praatje te maken.", RECURRING, ""),
    (BEZOEK, "Elke week bezoek om samen de krant door te nemen; mevrouw ziet slecht.", RECURRING, ""),
    (BEZOEK, "Iemand die samen met mevrouw naar de koffieochtend in het buurthuis gaat.", EITHER, ""),
    (KOKEN, "Twee keer per week samen een warme maaltijd koken.", RECURRING, ""),
    (KOKEN, "Hulp bij koken voor de hele week en invriezen in porties.", EITHER, ""),
    (KOKEN, "Iemand die af en toe mee-eet; meneer eet anders altijd alleen.", RECURRING, ""),
    (ADMINISTRATIE, "Hulp bij het sorteren van de post en het betalen van rekeningen.", RECURRING, ""),
    (ADMINISTRATIE, "Formulier voor de huurtoeslag invullen.", ONE_OFF, ""),
    (ADMINISTRATIE, "Een brief van de gemeente over de Wmo begrijpen en beantwoorden.", ONE_OFF, ""),
    (ADMINISTRATIE, "Hulp bij de belastingaangifte; mijn man deed dat altijd.", ONE_OFF, ""),
    (COMPUTER, "Uitleg over videobellen met de kleinkinderen op de tablet.", EITHER, ""),
    (COMPUTER, "DigiD aanvragen en leren inloggen bij de gemeente en de zorgverzekeraar.", ONE_OFF, ""),
    (COMPUTER, "Nieuwe smartphone instellen en WhatsApp erop zetten.", ONE_OFF, ""),
    (COMPUTER, "Hulp met de app van de bank: ik durf het niet alleen.", EITHER, ""),
    (COMPUTER, "De printer doet het niet meer met de laptop.", ONE_OFF, ""),
    (WANDELEN, "Samen een rondje lopen; meneer loopt met een rollator en durft niet alleen.", RECURRING, ""),
    (WANDELEN, "Wandelmaatje gezocht voor een wekelijkse wandeling door {park}.", RECURRING, "park"),
    (WANDELEN, "Na een val wil mevrouw weer zelf naar buiten; iemand die de eerste keren meeloopt.", EITHER, ""),
]  # fmt: skip

MOBILITY = ["rollator", "rolstoel", "slecht ter been", "loopt met een stok", "kan geen trap op"]
PARTICULARS = [
    "Slechthorend: duidelijk praten en de bel lang laten gaan.",
    "Wat vergeetachtig; graag de dag ervoor even bellen.",
    "Woont op de derde verdieping, geen lift.",
    "Bellen via de vaste telefoon; de mobiele staat meestal uit.",
    "Diabetes: graag letten op suikervrije producten.",
]
LITTLE_DUTCH = "Spreekt weinig Nederlands; de dochter kan tolken aan de telefoon."
PETS = ["Hond in huis (lief, maar blaft hard).", "Twee katten; deur van de woonkamer dicht houden.", "Kleine hond."]
KEY_SAFE = "Sleutelkluis naast de voordeur; de coördinator geeft de code."

# Status of the 60 requests of an organisation, and the way each got there.
STATUS_COUNTS = [
    ("nieuw", 13),
    ("zoekend", 15),
    ("voorgesteld", 6),
    ("gekoppeld", 10),
    ("afgerond", 9),
    ("geannuleerd", 4),
    ("opgeschaald", 3),
]
# How long ago such a request came in (days, inclusive range).
AGE_BY_STATUS = {
    "nieuw": [(0, 6), (0, 6), (0, 6), (7, 14), (32, 45)],
    "zoekend": [(2, 10), (8, 30), (10, 40)],
    "voorgesteld": [(3, 20)],
    "gekoppeld": [(7, 50)],
    "afgerond": [(20, 56)],
    "geannuleerd": [(5, 50)],
    "opgeschaald": [(4, 40)],
}
CANCEL_REASONS = [
    "De dochter komt nu zelf elke week helpen.",
    "Bewoner is opgenomen in het ziekenhuis; hulp is voorlopig niet nodig.",
    "De buurman heeft het al opgelost.",
    "Bewoner verhuist naar een verzorgingshuis.",
    "Bewoner nam de telefoon drie keer niet op en reageerde niet op een briefje.",
]
ESCALATE_REASONS = [
    "Stapel ongeopende post en aanmaningen: te zwaar voor een vrijwilliger. Wijkteam gevraagd.",
    "Bewoner lijkt verward en eet slecht; zorgen over de veiligheid thuis. Wijkteam gaat op huisbezoek.",
    "Bewoner heeft eigenlijk thuiszorg nodig; verwijzing loopt via het wijkteam.",
    "Somber en erg eenzaam, praat over 'er niet meer willen zijn'. Direct het wijkteam gebeld.",
]
# The organisations' social map (sociale kaart): where the wijkteam refers to.
SOCIAL_MAP = [
    ("Thuiszorg De Linde", "thuiszorg", "+31302345678", "Wijkverpleging en huishoudelijke hulp, ook op korte termijn."),
    ("GGZ Centraal, wijkteam volwassenen", "GGZ", "+31303456789", "Ondersteuning bij psychische klachten, thuis."),
    ("Humanitas Thuisadministratie", "schuldhulp", "+31304567890", "Vrijwilligers helpen met post en geldzaken."),
    ("Formulierenbrigade", "welzijn", "+31305678901", "Hulp bij formulieren van gemeente en zorgverzekeraar."),
]
BACK_FROM_WIJKTEAM = "Wijkteam heeft de zorg geregeld; de hulp van een vrijwilliger is nu weer passend."
# What a volunteer types when they turn a proposal down (Match.decline_reason): three, always three, so
# the draws from the random generator (and with them the demo's people) stay the same.
DECLINED = [
    "Ik kan die dag toch niet: mijn kleinkinderen logeren bij ons.",
    "Dat is me net te ver weg, zeker op de fiets.",
    "Het lukt me nu even niet, ik zorg deze weken voor mijn moeder.",
]

# --- matches: what volunteers log, how it ended, what people said afterwards --------------------------------

# Contact moments (ContactLog): (minutes, note). The first call, then the help itself.
FIRST_CONTACT = [
    (10, "Kennismaken aan de telefoon en een afspraak gemaakt."),
    (15, "Gebeld en langs geweest om kennis te maken; afspraak staat."),
    (5, "Kort gebeld om de dag en het tijdstip af te spreken."),
]
VISITS = {
    BOODSCHAPPEN: [(60, "Boodschappen gedaan en samen de tassen uitgepakt."), (45, "Lijstje opgehaald, alles was er.")],
    VERVOER: [(120, "Heen en terug gebracht; even gewacht in de wachtkamer."), (90, "Ritje ging goed, op tijd terug.")],
    KLUSJES: [
        (60, "Klus gedaan; gereedschap weer mee naar huis genomen."),
        (45, "Klusje gelukt, nog even koffie gedronken."),
    ],
    TUIN: [(120, "Flink gewerkt in de tuin; groenafval meegenomen."), (90, "Tuin is weer netjes.")],
    BEZOEK: [(90, "Koffie gedronken en bijgepraat; het gaat goed."), (75, "Spelletje gedaan, veel gelachen.")],
    KOKEN: [(120, "Samen gekookt en twee porties ingevroren."), (90, "Samen gegeten; smaakte prima.")],
    ADMINISTRATIE: [
        (60, "Post doorgenomen en twee rekeningen betaald."),
        (75, "Formulier samen ingevuld en verstuurd."),
    ],
    COMPUTER: [(60, "Uitleg gegeven; het lukt al bijna zelf."), (45, "Samen geoefend met videobellen.")],
    WANDELEN: [(60, "Rondje gelopen, mooi weer."), (45, "Korter rondje vandaag, wel gezellig.")],
}
# Match.outcome with the coordinator's closing note, in the order the closed matches get them.
OUTCOMES = [
    ("geholpen", "Bewoner is goed geholpen en heel tevreden."),
    ("geholpen", "Alles is gelukt; vrijwilliger en bewoner hebben elkaars nummer gehouden."),
    ("deels", "De klus is voor de helft gedaan; de rest regelt de zoon van de bewoner."),
    ("geholpen", "Hulp gegeven zoals afgesproken."),
    ("niet_geholpen", "Bewoner was twee keer niet thuis op de afgesproken tijd; afgesloten na overleg."),
    ("geholpen", "Fijn contact; de bewoner belt ons weer als er iets is."),
]
# SatisfactionResponse per outcome: (helped 1–5, would do it again, comment) for the resident and the volunteer.
SATISFACTION = {
    "geholpen": (
        (5, True, "Heel fijn geholpen, ik ben er erg blij mee."),
        (4, True, "Leuk om te doen, een hartelijke bewoner."),
    ),
    "deels": ((3, True, "Het hielp wel, maar niet alles is af."), (3, True, "Het was meer werk dan gedacht.")),
    "niet_geholpen": ((2, False, ""), (2, False, "Jammer dat het niet lukte om af te spreken.")),
}
# The two requests of the demo account vrijwilliger@<slug>.demo, in its categories and on its slots (see
# demo_volunteer_spec): (start of a REQUESTS text, recurrence, slots), the first that suits the resident.
DEMO_VOLUNTEER_REQUESTS = {
    # a proposal waiting for their answer
    "voorgesteld": [("Zware boodschappen", "tweewekelijks", ["za-ochtend"])],
    # the help they give now, with its contact moments
    "gekoppeld": [
        ("Mevrouw zoekt iemand om samen rummikub", "wekelijks", ["di-middag"]),
        ("Meneer is sinds het overlijden", "wekelijks", ["di-middag"]),
        ("Uitleg over videobellen", "wekelijks", ["do-avond"]),
    ],
}


# --- helpers --------------------------------------------------------------------------------------------


def ascii_slug(text):
    """'Yılmaz' → 'yilmaz', "van 't Hof" → 'vanthof': for e-mail addresses."""
    text = text.replace("ı", "i").replace("ł", "l").replace("Ł", "L")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in text.lower() if ch.isalnum() or ch == "-")


def _weighted(rng, weights):
    names = list(weights)
    return rng.choices(names, weights=[weights[name] for name in names])[0]


def _person(rng, background, older=False, gender=None):
    """(first name, surname, gender) of someone with this background."""
    female, male, surnames, _langs, _res = BACKGROUNDS[background]
    gender = gender or rng.choice("fm")
    if older and background == "nl":
        female, male = OLDER_DUTCH_FIRST_NAMES
    first = rng.choice(female if gender == "f" else male)
    surname = rng.choice(surnames)
    if "/" in surname:
        masculine, feminine = surname.split("/")
        surname = feminine if gender == "f" else masculine
    return first, surname, gender


def full_name(first, surname):
    return f"{first} {surname}"


def _street_postcode(slug, pc4s, street, house_number):
    """A fixed PC6 for (street, which half of it): the same street always gets the same letters."""
    street_rng = random.Random(f"{slug}:{street}")
    letters = "ABCDEGHJKLMNPRTVWXZ"
    suffixes = []
    while len(suffixes) < 2:
        suffix = street_rng.choice(letters) + street_rng.choice(letters)
        if suffix not in ("SA", "SD", "SS") and suffix not in suffixes:
            suffixes.append(suffix)
    pc4 = pc4s[street_rng.randrange(len(pc4s))]
    number = int("".join(ch for ch in house_number if ch.isdigit()))
    return f"{pc4} {suffixes[0] if number < 60 else suffixes[1]}"


def _address(rng, slug, areas):
    name, _lat, _lon, pc4s, streets = rng.choice(areas)
    street = rng.choice(streets)
    number = rng.randint(1, 140)
    addition = rng.choices(["", "a", "bis", "-2"], weights=[20, 2, 1, 1])[0]
    house_number = f"{number}{addition}"
    return {
        "area": name,
        "street": street,
        "house_number": house_number,
        "postcode": _street_postcode(slug, pc4s, street, house_number),
    }


def _phone(rng, used, prefix="06"):
    while True:
        if prefix == "06":
            number = "06" + str(rng.randint(1, 5)) + "".join(str(rng.randint(0, 9)) for _ in range(7))
        else:
            number = prefix + "".join(str(rng.randint(0, 9)) for _ in range(10 - len(prefix)))
        if number not in used:
            used.add(number)
            return number


def _availability_codes(rng):
    weights = [rhythm[0] for rhythm in RHYTHMS]
    codes = []
    for _ in range(rng.choice([1, 1, 2])):  # one rhythm, sometimes two
        _w, days, (low, high), parts = rng.choices(RHYTHMS, weights=weights)[0]
        chosen_days = rng.sample(days, min(len(days), rng.randint(low, high)))
        chosen_parts = rng.sample(parts, rng.randint(1, len(parts)))
        codes += [f"{day}-{part}" for day in chosen_days for part in chosen_parts]
    return sorted(set(codes))


def _fill(text, places):
    return text.format(**places)


# --- volunteers -------------------------------------------------------------------------------------------

# Statuses of the 40 volunteers: most active, some waiting for their intake, a couple stopped.
VOLUNTEER_STATUSES = ["actief"] * 32 + ["aangemeld"] * 6 + ["gestopt"] * 2


def volunteer_specs(slug):
    """The organisation's demo volunteers, always the same: a list of dicts (see netwerken.demo)."""
    data = ORGANISATION_DATA[slug]
    rng = random.Random(data["seed"])
    statuses = list(VOLUNTEER_STATUSES)
    rng.shuffle(statuses)
    used_emails, used_phones, specs = set(), set(), []
    active_seen = 0
    for status in statuses[:VOLUNTEERS_PER_ORGANISATION]:
        background = _weighted(rng, data["volunteer_mix"])
        while True:
            first, surname, _gender = _person(rng, background)
            email = f"{ascii_slug(first)}.{ascii_slug(surname)}@{slug}.demo"
            if email not in used_emails:
                used_emails.add(email)
                break
        address = _address(rng, slug, data["areas"])
        area_names = [area[0] for area in data["areas"]]
        extra_areas = [name for name in area_names if name != address["area"] and rng.random() < 0.3]
        count = rng.choices([1, 2, 3], weights=[3, 4, 3])[0]
        categories = []
        while len(categories) < count:
            category = _weighted(rng, CATEGORY_WEIGHTS)
            if category not in categories:
                categories.append(category)
        codes = _availability_codes(rng)
        languages = rng.choice(BACKGROUNDS[background][3])
        created_days_ago = rng.randint(1, 20) if status == "aangemeld" else rng.randint(40, 700)
        vog = None
        needs_vog = any(category in VOG_CATEGORIES for category in categories)
        if status != "aangemeld" and (needs_vog or rng.random() < 0.3):
            # days after sign-up the certificate was dated; one old one that has run out
            vog = {"days_after_signup": rng.randint(5, 30), "expired": False}
        paused = False
        if status == "actief":
            active_seen += 1
            paused = active_seen in (5, 17, 26)  # three on holiday
            if vog and active_seen == 11:
                # signed up years ago; the certificate has run out and needs renewing
                vog["expired"] = True
                created_days_ago += 3 * 365 + 30
        offers = []
        if status == "actief":
            for category in rng.sample(categories, min(len(categories), rng.choices([0, 1, 2], [2, 5, 3])[0])):
                description = _fill(rng.choice(OFFERS[category]), data["places"])
                offer_codes = rng.sample(codes, min(len(codes), rng.randint(1, 3)))
                offers.append({"category": category, "description": description, "slots": sorted(offer_codes)})
        specs.append(
            {
                "email": email,
                "name": full_name(first, surname),
                "phone": _phone(rng, used_phones),
                **address,
                "areas": [address["area"], *extra_areas],
                "max_distance_km": rng.choice([None, None, "1.5", "2.0", "3.0", "5.0"]),
                "categories": categories,
                "slots": codes,
                "languages": languages,
                "preference": rng.choices(["eenmalig", "maatje", "beide"], weights=[3, 2, 5])[0],
                "max_requests_per_month": rng.choice([2, 3, 4, 4, 4, 5, 6, 8]),
                "status": status,
                "created_days_ago": created_days_ago,
                "intake_days_after_signup": rng.randint(4, 21),
                "vog": vog,
                "paused": paused,
                "offers": offers,
            }
        )
    return specs


# The demo account vrijwilliger@<slug>.demo: an active volunteer with offers, so its pages show something.
def demo_volunteer_spec(slug):
    data = ORGANISATION_DATA[slug]
    area_name, _lat, _lon, pc4s, streets = data["areas"][0]
    house_number = "12"
    return {
        "phone": "0612345678",
        "area": area_name,
        "street": streets[0],
        "house_number": house_number,
        "postcode": _street_postcode(slug, pc4s, streets[0], house_number),
        "areas": [area_name, data["areas"][2][0]],
        "max_distance_km": "3.0",
        "categories": [BOODSCHAPPEN, COMPUTER, BEZOEK],
        "slots": ["di-ochtend", "di-middag", "do-avond", "za-ochtend"],
        "languages": ["nl", "en"],
        "preference": "beide",
        "max_requests_per_month": 4,
        "status": "actief",
        "created_days_ago": 180,
        "intake_days_after_signup": 10,
        "vog": {"days_after_signup": 14, "expired": False},
        "paused": False,
        "offers": [
            {"category": COMPUTER, "description": OFFERS[COMPUTER][0], "slots": ["do-avond"]},
            {
                "category": BOODSCHAPPEN,
                "description": _fill(OFFERS[BOODSCHAPPEN][1], data["places"]),
                "slots": ["za-ochtend"],
            },
        ],
    }


# --- residents and their requests ----------------------------------------------------------------------


def _status_path(rng, status, index):
    """The moves from 'nieuw' to `status`, as (to_status, reason) pairs, as a coordinator would make them."""
    if status == "nieuw":
        return []
    if status == "zoekend":
        if index % 7 == 3:
            return [("opgeschaald", rng.choice(ESCALATE_REASONS)), ("zoekend", BACK_FROM_WIJKTEAM)]
        if index % 5 == 1:
            return [("zoekend", ""), ("voorgesteld", ""), ("zoekend", rng.choice(DECLINED))]
        return [("zoekend", "")]
    matched = [("zoekend", ""), ("voorgesteld", ""), ("gekoppeld", "")]
    if index % 4 == 0:
        matched = [("zoekend", ""), ("voorgesteld", ""), ("zoekend", rng.choice(DECLINED)), *matched[1:]]
    if status == "voorgesteld":
        return matched[:-1]
    if status == "gekoppeld":
        return matched
    if status == "afgerond":
        return [*matched, ("afgerond", "")]
    if status == "geannuleerd":
        reason = rng.choice(CANCEL_REASONS)
        return [("geannuleerd", reason)] if index % 2 else [("zoekend", ""), ("geannuleerd", reason)]
    if status == "opgeschaald":
        reason = rng.choice(ESCALATE_REASONS)
        return [("opgeschaald", reason)] if index % 2 else [("zoekend", ""), ("opgeschaald", reason)]
    raise ValueError(status)


def _request(rng, data, template, status, index, resident_background, channel):
    category, text, kind_hint, location_key = template
    places = data["places"]
    kind = kind_hint if kind_hint != EITHER else rng.choice([ONE_OFF, RECURRING])
    if channel == "online":
        kind = ONE_OFF  # the public form asks for a date, not a rhythm
    low, high = rng.choice(AGE_BY_STATUS[status])
    request = {
        "template": text,
        "category": category,
        "description": _fill(text, places),
        "kind": kind,
        "status": status,
        "path": _status_path(rng, status, index),
        "channel": channel,
        "days_ago": rng.randint(low, high),
        "hour": rng.randint(9, 16),
        "minute": rng.choice([0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55]),
        "location": places[f"{location_key}_adres"] if location_key else "",
        "urgency": rng.choices([1, 2, 3, 4], weights=[3, 9, 4, 1])[0],
        "helpers_needed": 2 if "twee mensen" in text else 1,
        "date_in_days": None,
        "time": None,
        "recurrence": "",
        "slots": [],
        "language": "nl",
        "mobility": "",
        "pets": False,
        "key_safe": False,
        "particulars": "",
        # set by _plan_matches
        "outcome": "",
        "closing_note": "",
        "satisfaction": False,
        "demo_volunteer": False,
    }
    if kind == ONE_OFF:
        if rng.random() < 0.85:
            # open requests: in the coming weeks; finished ones: between intake and today
            request["date_in_days"] = rng.randint(2, 28)
        if channel != "online" and rng.random() < 0.5:
            request["time"] = rng.choice(
                [("09:30", "11:00"), ("10:00", "12:00"), ("13:30", "15:00"), ("14:00", "16:30")]
            )
    else:
        request["recurrence"] = rng.choices(["wekelijks", "tweewekelijks", "maandelijks"], weights=[6, 3, 1])[0]
        day = rng.choice(WEEKDAYS + ["za"])
        part = rng.choice(["ochtend", "ochtend", "middag", "avond"] if category == KOKEN else ["ochtend", "middag"])
        request["slots"] = [f"{day}-{part}"]
        if category == KOKEN and rng.random() < 0.5:
            other = rng.choice([d for d in WEEKDAYS if d != day])
            request["slots"].append(f"{other}-{part}")
    if channel != "online":
        own = BACKGROUNDS[resident_background][4]
        if own and rng.random() < 0.5:
            request["language"] = rng.choice(own)
        notes = []
        if rng.random() < 0.35:
            request["mobility"] = rng.choice(MOBILITY)
        if rng.random() < 0.25:
            request["pets"] = True
            notes.append(rng.choice(PETS))
        if rng.random() < 0.2:
            request["key_safe"] = True
            notes.append(KEY_SAFE)
        if rng.random() < 0.35:
            notes.append(rng.choice(PARTICULARS))
        if request["language"] != "nl" and rng.random() < 0.5:
            notes.append(LITTLE_DUTCH)
        request["particulars"] = " ".join(notes)
    return request


def _template_gender(template):
    """'f' or 'm' if the request's text says mevrouw or meneer, else None."""
    text = template[1].lower()
    if re.search(r"\b(mevrouw|mijn man)\b", text):
        return "f"
    if re.search(r"\b(meneer|zijn vrouw)\b", text):
        return "m"
    return None


def _template(rng, status, channel, gender=None, not_description=None):
    candidates = [
        template
        for template in REQUESTS
        if (status != "opgeschaald" or template[0] in (ADMINISTRATIE, BEZOEK, BOODSCHAPPEN))
        and (channel != "online" or template[2] != RECURRING)  # the public form asks for a date, not a rhythm
        and _template_gender(template) in (None, gender)
        and template[1] != not_description
    ]
    return rng.choice(candidates)


def resident_specs(slug):
    """The organisation's demo residents, each with one request (a few with two), always the same."""
    data = ORGANISATION_DATA[slug]
    rng = random.Random(data["seed"] * 7 + 1)
    statuses = [status for status, count in STATUS_COUNTS for _ in range(count)]
    rng.shuffle(statuses)
    used_names, used_phones, residents = set(), set(), []
    for index, status in enumerate(statuses):
        channel = rng.choices(["telefoon", "online", "wijkteam"], weights=[70, 15, 15])[0]
        if index >= RESIDENTS_PER_ORGANISATION:
            # a resident who asks again: another request from an earlier resident (phone, of course)
            resident = residents[(index * 7) % RESIDENTS_PER_ORGANISATION]
            first = resident["requests"][0]
            template = _template(rng, status, "telefoon", resident["gender"], first["template"])
            request = _request(rng, data, template, status, index, resident["background"], "telefoon")
            resident["requests"].append(request)
            continue
        gender = rng.choice("fm")
        template = _template(rng, status, channel, gender)
        background = _weighted(rng, data["resident_mix"])
        while True:
            first, surname, _gender = _person(rng, background, older=channel != "online", gender=gender)
            name = full_name(first, surname)
            if name not in used_names:
                used_names.add(name)
                break
        resident = {
            "name": name,
            "background": background,
            "gender": gender,
            **_address(rng, slug, data["areas"]),
            "email": "",
            "requests": [],
        }
        if channel == "online":
            resident["phone"] = _phone(rng, used_phones) if rng.random() < 0.7 else ""
            resident["email"] = f"{ascii_slug(first)}.{ascii_slug(surname)}@mail.demo"
        else:
            landline = rng.random() < 0.6
            resident["phone"] = _phone(rng, used_phones, data["landline"] if landline else "06")
        resident["requests"].append(_request(rng, data, template, status, index, background, channel))
        residents.append(resident)
    _plan_matches(residents, data["places"])
    return residents


def _plan_matches(residents, places):
    """How the matched requests end, and which two go to the demo volunteer. Draws nothing at random."""
    closed = 0
    demo_given = set()
    for resident in residents:
        for request in resident["requests"]:
            status = request["status"]
            if status == "afgerond":
                request["outcome"], request["closing_note"] = OUTCOMES[closed % len(OUTCOMES)]
                request["satisfaction"] = closed % 3 != 2  # two in three answered the short questions
                closed += 1
            if status in DEMO_VOLUNTEER_REQUESTS and status not in demo_given and request["channel"] != "online":
                if _give_to_demo_volunteer(resident, request, DEMO_VOLUNTEER_REQUESTS[status], places):
                    demo_given.add(status)


def _give_to_demo_volunteer(resident, request, choices, places):
    """Turns the request into one that suits the demo volunteer; False if no choice suits the resident."""
    others = {other["template"] for other in resident["requests"] if other is not request}
    for start, recurrence, slots in choices:
        template = next(template for template in REQUESTS if template[1].startswith(start))
        if _template_gender(template) not in (None, resident["gender"]) or template[1] in others:
            continue
        request.update(
            template=template[1],
            category=template[0],
            description=_fill(template[1], places),
            kind=RECURRING,
            recurrence=recurrence,
            slots=slots,
            date_in_days=None,
            time=None,
            location="",
            helpers_needed=1,
            demo_volunteer=True,
        )
        return True
    return False


# --- networks, activities, phases, the fee ledger (buurthulp.demo.networks_seed) -------------------------------

# Per organisation its resident networks, as (key, name, kind, area indexes, contact (name, phone) or None for
# a volunteer of the network, months since it started, members). `key` picks the activities below.
NETWORKS = {
    "oranjekwartier": [
        ("wandelgroep", "Wandelgroep Oranjekwartier", "nieuw_initiatief", [0, 2], None, 7, 16),
        ("samen_eten", "Moestuin De Oranjetuin en samen eten", "nieuw_initiatief", [0], None, 6, 14),
        ("kerk", "Diaconie Binnenstad (repaircafé in de kerkzaal)", "kerk", [2], ("Marjan Verweij", "0611223344"),
         30, 12),
        ("sportclub", "Sportvereniging IJsselstein-Zuid", "sportclub", [1, 3], ("Ron Kemper", "0622334455"), 48, 10),
        ("ouderenbond", "Seniorenvereniging Oranjekwartier", "ouderenbond", [0, 1], ("Gré van Eck", "0633445566"),
         60, 18),
    ],
    "lombok": [
        ("wandelgroep", "Wandelgroep Lombok", "nieuw_initiatief", [0, 1], None, 7, 15),
        ("samen_eten", "Buurtmoestuin Lombok: samen koken en eten", "nieuw_initiatief", [1], None, 6, 18),
        ("kerk", "Geloofsgemeenschappen Lombok (kerk en moskee)", "kerk", [0, 1], ("Hassan Tahiri", "0644556677"),
         36, 12),
        ("sportclub", "Voetbalvereniging Lombok-West (walking football)", "sportclub", [1, 2],
         ("Dennis Kroon", "0655667788"), 40, 9),
    ],
    "achterveld": [
        ("wandelgroep", "Wandelgroep Achterveld", "nieuw_initiatief", [0, 1], None, 6, 13),
        ("samen_eten", "Buurtmoestuin Groenvliet en samen eten", "nieuw_initiatief", [3], None, 5, 12),
        ("kerk", "Kerkgemeenschap Achterveld", "kerk", [0], ("Wim Hoogendoorn", "0666778899"), 30, 10),
        ("ouderenbond", "Ouderenbond Nije Veld", "ouderenbond", [1, 2], ("Toos Bremer", "0687889900"), 50, 15),
    ],
}  # fmt: skip

NETWORK_DESCRIPTIONS = {
    "wandelgroep": "Elke dinsdagochtend een rustig rondje van een uur, ook met rollator; daarna koffie.",
    "samen_eten": "Samen tuinieren in de buurtmoestuin en om de week samen koken en eten met wat de tuin geeft.",
    "kerk": "De diaconie zet zich in voor de buurt; in de kerkzaal is elke eerste zaterdag het repaircafé.",
    "sportclub": "Bewegen voor iedereen: ook walking football en een sportmiddag voor ouderen.",
    "ouderenbond": "Belangenvereniging voor ouderen: koffieochtenden, uitjes en informatiemiddagen.",
}

# Per network key: (title, rrule or "", start time, minutes, place, capacity, weeks since the first time or,
# negative, weeks until a one-off, organiser ("demo": the organisation's demo volunteer; "member": a
# volunteer of the network; None), people at a session (low, high)).
ACTIVITIES = {
    "wandelgroep": [
        ("Dinsdagwandeling", "FREQ=WEEKLY;BYDAY=TU", "10:00", 75, "Start bij {park_adres}", 20, 26, "demo", (5, 12)),
    ],
    "samen_eten": [
        ("Samen eten", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", "17:30", 120, "Buurthuis", 24, 24, "member", (8, 15)),
    ],
    "kerk": [
        ("Repaircafé", "FREQ=MONTHLY;BYDAY=1SA", "10:00", 180, "Kerkzaal", None, 22, "member", (6, 12)),
    ],
    "sportclub": [
        ("Sportmiddag voor 60-plussers", "", "14:00", 120, "Sporthal", 30, 6, "member", (7, 14)),
    ],
    "ouderenbond": [
        ("Informatiemiddag veilig thuis", "", "14:00", 90, "Buurthuis", 40, -2, None, (6, 12)),
    ],
}

SESSION_CANCELLED = "Afgelast: storm, code oranje."
SESSION_MOVED = "Een dag later: dinsdag is het buurthuis dicht."
NETWORK_OTHER_NAMES = ["Joke (buurvrouw van Truus)", "Meneer Pinas", "Anja", "Sem en zijn opa", "Ria van nr. 14"]

# The phase checklist in progress: per organisation, how many of each phase's items are done (the rest
# open, the first open one overdue). The organisation in "opzetten" came from "verkennen" months ago.
CHECKLIST_DONE = {
    "oranjekwartier": {"verkennen": 99, "opzetten": 99, "uitvoering": 2},
    "lombok": {"verkennen": 3, "opzetten": 2},
    "achterveld": {"verkennen": 2},
}
PHASE_MOVE_NOTE = "Initiatiefgroep staat en de wijksafari is gelopen; de wijkanalyse maken we af tijdens het opzetten."

# "Een extraatje bijverdienen": the fee agreed per category (unit, euros as a string for Decimal).
FEES = {
    "Boodschappen": ("klus", "5.00"),
    "Vervoer en ziekenhuisvervoer": ("klus", "4.00"),
    "Klusjes": ("uur", "7.50"),
    "Tuin": ("uur", "7.50"),
    "Bezoek en gezelschap": ("uur", "4.00"),
    "Koken en maaltijden": ("uur", "6.00"),
    "Administratie en post": ("uur", "7.50"),
    "Computer en telefoon": ("klus", "5.00"),
    "Wandelen": ("klus", "3.00"),
}
FEE_CORRECTION_REASON = "Een half uur te veel geschreven; nagebeld met de bewoner."


# What each demo organisation shows on its public page (o/<org>/over/) and next to its request form.
PUBLIC_PAGES = {
    "oranjekwartier": {
        "intro": "Wij helpen bewoners van het Europa- en Oranjekwartier met een klus, een boodschap of een rit "
        "naar het ziekenhuis. Vrijwilligers uit de buurt doen het, gratis.",
        "phone": "+31348123456",
        "email": "info@oranjekwartier.demo",
        "opening_hours": "Maandag tot en met donderdag, 9.00 tot 12.00 uur",
        "address": "Buurthuis De Oranjerie\nOranjelaan 12\n3402 AB IJsselstein",
    },
    "lombok": {
        "intro": "In Lombok zijn we er voor elkaar: wie iets kan, helpt; wie hulp nodig heeft, vraagt het.",
        "phone": "+31302345678",
        "email": "hallo@lombok.demo",
        "opening_hours": "Dinsdag en vrijdag, 10.00 tot 14.00 uur",
        "address": "Wijkcentrum Lombok\nKanaalstraat 40\n3531 CJ Utrecht",
    },
    "achterveld": {
        "intro": "Buurthulp Achterveld koppelt bewoners aan buurtgenoten die er met een kleine vergoeding iets bij "
        "verdienen.",
        "phone": "+31348654321",
        "email": "contact@achterveld.demo",
        "opening_hours": "Woensdag, 13.00 tot 16.00 uur",
        "address": "Achterveld 5\n3401 KA IJsselstein",
    },
}
