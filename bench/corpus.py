"""Word lists and text builders for the benchmark library (pure Python, deterministic).

The text is made up but shaped like the real thing: condition names built from clinical
vocabulary, plain-English sentences for patients, Markdown paragraphs and lists, citation
markers (``[@key]``, ``[@a; @b]``), and a reference library of journal articles, books,
guidelines and web pages with authors, journals, DOIs and PMIDs. Sizes matter more than
meaning here: section bodies average about 1 KB, as in the seed pages.
"""

from __future__ import annotations

import random
import re
import unicodedata

SPECIALTIES = {
    "neurology": (
        [
            "neuropathy",
            "myopathy",
            "encephalopathy",
            "myelopathy",
            "ataxia",
            "dystonia",
            "myasthenia",
            "neuralgia",
            "radiculopathy",
            "leukodystrophy",
        ],
        ["nerve", "spinal cord", "brain", "muscle", "peripheral nerve"],
        [
            "cramp",
            "twitching",
            "numbness",
            "tingling",
            "weakness",
            "headache",
            "dizziness",
            "tremor",
            "fatigue",
            "memory problems",
        ],
    ),
    "cardiology": (
        [
            "cardiomyopathy",
            "myocarditis",
            "pericarditis",
            "arrhythmia",
            "valve disease",
            "heart failure",
            "endocarditis",
            "aortic stenosis",
            "angina",
            "tachycardia",
        ],
        ["heart", "heart muscle", "heart valve", "coronary artery", "aorta"],
        [
            "chest pain",
            "breathlessness",
            "palpitations",
            "swollen ankles",
            "fainting",
            "fatigue",
            "dizziness",
            "cough",
            "sweating",
            "nausea",
        ],
    ),
    "respiratory": (
        [
            "bronchitis",
            "pneumonitis",
            "fibrosis",
            "bronchiectasis",
            "emphysema",
            "asthma",
            "pleurisy",
            "sarcoidosis",
            "pneumothorax",
            "alveolitis",
        ],
        ["lung", "airway", "pleura", "bronchial tube", "windpipe"],
        [
            "cough",
            "wheezing",
            "breathlessness",
            "chest tightness",
            "fever",
            "fatigue",
            "coughing up blood",
            "night sweats",
            "weight loss",
            "chest pain",
        ],
    ),
    "gastroenterology": (
        [
            "gastritis",
            "colitis",
            "hepatitis",
            "pancreatitis",
            "oesophagitis",
            "enteropathy",
            "cholangitis",
            "diverticulitis",
            "cirrhosis",
            "proctitis",
        ],
        ["stomach", "bowel", "liver", "pancreas", "oesophagus", "gallbladder"],
        [
            "abdominal pain",
            "bloating",
            "diarrhoea",
            "constipation",
            "nausea",
            "vomiting",
            "heartburn",
            "weight loss",
            "jaundice",
            "fatigue",
        ],
    ),
    "dermatology": (
        [
            "dermatitis",
            "eczema",
            "psoriasis",
            "urticaria",
            "pemphigoid",
            "vitiligo",
            "keratosis",
            "folliculitis",
            "rosacea",
            "ichthyosis",
        ],
        ["skin", "scalp", "nail", "hair follicle", "sweat gland"],
        [
            "rash",
            "itching",
            "dry skin",
            "blisters",
            "redness",
            "scaling",
            "hair loss",
            "pain",
            "swelling",
            "skin discolouration",
        ],
    ),
    "endocrinology": (
        [
            "thyroiditis",
            "hypothyroidism",
            "hyperthyroidism",
            "diabetes",
            "adrenal insufficiency",
            "hyperparathyroidism",
            "acromegaly",
            "hypopituitarism",
            "goitre",
            "hypoglycaemia",
        ],
        ["thyroid gland", "adrenal gland", "pituitary gland", "pancreas", "parathyroid gland"],
        [
            "tiredness",
            "weight gain",
            "weight loss",
            "thirst",
            "passing urine often",
            "feeling cold",
            "sweating",
            "anxiety",
            "hair thinning",
            "low mood",
        ],
    ),
    "rheumatology": (
        [
            "arthritis",
            "vasculitis",
            "myositis",
            "lupus",
            "spondylitis",
            "gout",
            "polymyalgia",
            "scleroderma",
            "tendinitis",
            "bursitis",
        ],
        ["joint", "tendon", "blood vessel", "connective tissue", "spine"],
        [
            "joint pain",
            "stiffness",
            "swelling",
            "fatigue",
            "fever",
            "muscle pain",
            "rash",
            "dry eyes",
            "back pain",
            "reduced movement",
        ],
    ),
    "nephrology": (
        [
            "nephritis",
            "nephropathy",
            "glomerulonephritis",
            "nephrotic syndrome",
            "kidney stones",
            "renal failure",
            "pyelonephritis",
            "polycystic kidney disease",
            "renal tubular acidosis",
            "cystinosis",
        ],
        ["kidney", "bladder", "urinary tract", "ureter", "renal tubule"],
        [
            "swelling",
            "blood in urine",
            "foamy urine",
            "back pain",
            "tiredness",
            "high blood pressure",
            "passing less urine",
            "itching",
            "nausea",
            "cramp",
        ],
    ),
    "haematology": (
        [
            "anaemia",
            "thalassaemia",
            "haemophilia",
            "thrombocytopenia",
            "leukaemia",
            "lymphoma",
            "myeloma",
            "polycythaemia",
            "neutropenia",
            "thrombophilia",
        ],
        ["blood", "bone marrow", "lymph node", "spleen", "platelet"],
        [
            "tiredness",
            "pale skin",
            "bruising",
            "bleeding",
            "infections",
            "breathlessness",
            "night sweats",
            "fever",
            "bone pain",
            "weight loss",
        ],
    ),
    "infectious disease": (
        [
            "infection",
            "fever",
            "meningitis",
            "encephalitis",
            "sepsis",
            "tuberculosis",
            "abscess",
            "cellulitis",
            "osteomyelitis",
            "endocarditis",
        ],
        ["blood", "skin", "bone", "brain lining", "lung"],
        [
            "fever",
            "chills",
            "headache",
            "rash",
            "pain",
            "swelling",
            "cough",
            "confusion",
            "tiredness",
            "vomiting",
        ],
    ),
}

COMMON_CONDITIONS = [
    "Asthma", "Migraine", "Type 2 diabetes", "Type 1 diabetes", "Cramp-fasciculation syndrome",
    "Benign fasciculation syndrome", "Isaacs syndrome", "Motor neurone disease",
    "Multiple sclerosis", "Parkinson's disease", "Epilepsy", "Restless legs syndrome",
    "Carpal tunnel syndrome", "Sciatica", "Chronic fatigue syndrome", "Fibromyalgia",
    "Rheumatoid arthritis", "Osteoarthritis", "Gout", "Psoriasis", "Atopic eczema",
    "Coeliac disease", "Crohn's disease", "Ulcerative colitis", "Irritable bowel syndrome",
    "Gastro-oesophageal reflux disease", "Gallstones", "Hypertension", "Atrial fibrillation",
    "Heart failure", "Angina", "Stroke", "Transient ischaemic attack", "Deep vein thrombosis",
    "Pulmonary embolism", "Chronic obstructive pulmonary disease", "Pneumonia", "Bronchiectasis",
    "Cystic fibrosis", "Sarcoidosis", "Chronic kidney disease", "Urinary tract infection",
    "Iron deficiency anaemia", "Vitamin B12 deficiency anaemia", "Sickle cell disease",
    "Hypothyroidism", "Overactive thyroid", "Addison's disease", "Cushing's syndrome",
    "Lyme disease", "Shingles", "Glandular fever", "Tonsillitis", "Sinusitis", "Conjunctivitis",
    "Glaucoma", "Cataracts", "Tinnitus", "Vertigo", "Meniere's disease", "Bell's palsy",
    "Trigeminal neuralgia", "Guillain-Barre syndrome", "Myasthenia gravis", "Lupus",
    "Polymyalgia rheumatica", "Giant cell arteritis", "Ankylosing spondylitis", "Osteoporosis",
    "Plantar fasciitis", "Tennis elbow", "Frozen shoulder", "Raynaud's phenomenon",
    "Varicose veins", "Haemorrhoids", "Diverticular disease", "Appendicitis", "Hepatitis B",
    "Hepatitis C", "Non-alcoholic fatty liver disease", "Pancreatitis", "Kidney stones",
    "Prostatitis", "Endometriosis", "Polycystic ovary syndrome", "Pre-eclampsia",
    "Chickenpox", "Measles", "Scarlet fever", "Impetigo", "Rosacea", "Acne", "Urticaria",
    "Vitiligo", "Alopecia areata", "Hay fever", "Anaphylaxis", "Insomnia", "Sleep apnoea",
    "Narcolepsy", "Depression", "Generalised anxiety disorder", "Panic disorder",
]  # fmt: skip

QUALIFIERS = [
    "Acute", "Chronic", "Familial", "Idiopathic", "Primary", "Secondary", "Juvenile",
    "Adult-onset", "Congenital", "Hereditary", "Benign", "Recurrent", "Autoimmune",
    "Drug-induced", "Late-onset", "Early-onset", "Paraneoplastic", "Post-infectious",
    "Progressive", "Relapsing", "Atypical", "Infantile", "Sporadic", "Inflammatory",
]  # fmt: skip

EPONYMS = [
    "Addison", "Alport", "Bartter", "Behcet", "Berger", "Brugada", "Buerger", "Caroli",
    "Castleman", "Charcot", "Churg", "Crigler", "Dercum", "Dressler", "Dubin", "Fabry",
    "Fahr", "Felty", "Gaucher", "Gilbert", "Gitelman", "Goodpasture", "Hashimoto", "Horner",
    "Hunter", "Kawasaki", "Kienbock", "Lambert", "Leigh", "Lofgren", "Marfan", "McArdle",
    "Menkes", "Moyamoya", "Niemann", "Noonan", "Ormond", "Paget", "Parsonage", "Pompe",
    "Refsum", "Reiter", "Rett", "Schnitzler", "Sheehan", "Sjogren", "Stargardt", "Still",
    "Susac", "Takayasu", "Tietze", "Tolosa", "Usher", "Waldenstrom", "Wegener", "Whipple",
    "Wilson", "Wolman", "Zollinger",
]  # fmt: skip

FAMILY_NAMES = [
    "Jansen", "de Carvalho", "Swash", "Hart", "Tahmoush", "Harrison", "Benatar", "Smith",
    "Patel", "Nguyen", "Kowalski", "Okafor", "Haddad", "Larsen", "Moreau", "Rossi",
    "Schmidt", "Tanaka", "Kim", "Chen", "Garcia", "Fernandes", "O'Brien", "Murphy",
    "Andersson", "Novak", "Horvath", "Ivanova", "Papadopoulos", "Cohen", "Mensah", "Adeyemi",
    "Singh", "Khan", "Ali", "Sato", "Yamamoto", "Wang", "Li", "Zhang", "Liu", "Park", "Choi",
    "Silva", "Santos", "Costa", "Martins", "Dubois", "Lefebvre", "Bianchi", "Romano",
    "Muller", "Weber", "Fischer", "Meyer", "Wagner", "Becker", "Hoffmann", "van der Berg",
    "Bakker", "Visser", "Nielsen", "Hansen", "Johansson", "Lindqvist", "Virtanen", "Korhonen",
    "Nowak", "Wojcik", "Kovacs", "Popescu", "Petrov", "Sokolov", "Yilmaz", "Demir",
    "Rahman", "Hossain", "Iyer", "Reddy", "Menon", "Chatterjee", "Gupta", "Sharma",
    "Thompson", "Walker", "Robinson", "Wright", "Evans", "Roberts", "Hughes", "Edwards",
    "Clarke", "Turner", "Hill", "Green", "Baker", "Wood", "Hall", "Lewis", "Campbell",
]  # fmt: skip

JOURNALS = [
    ("Neurology", "neurology"), ("Muscle & Nerve", "mus"), ("Brain", "brain"),
    ("Journal of Neurology, Neurosurgery, and Psychiatry", "jnnp"),
    ("The Lancet", "lancet"), ("The Lancet Neurology", "laneur"), ("BMJ", "bmj"),
    ("New England Journal of Medicine", "nejm"), ("JAMA", "jama"),
    ("JAMA Internal Medicine", "jamainternmed"), ("Annals of Internal Medicine", "aim"),
    ("European Heart Journal", "eurheartj"), ("Circulation", "circ"),
    ("Thorax", "thorax"), ("European Respiratory Journal", "erj"), ("Gut", "gut"),
    ("Gastroenterology", "gastro"), ("Hepatology", "hep"),
    ("British Journal of Dermatology", "bjd"), ("Journal of Investigative Dermatology", "jid"),
    ("Diabetes Care", "dc"), ("The Journal of Clinical Endocrinology & Metabolism", "jcem"),
    ("Annals of the Rheumatic Diseases", "ard"), ("Arthritis & Rheumatology", "art"),
    ("Kidney International", "ki"), ("Journal of the American Society of Nephrology", "jasn"),
    ("Blood", "blood"), ("British Journal of Haematology", "bjh"),
    ("Clinical Infectious Diseases", "cid"), ("The Lancet Infectious Diseases", "laninf"),
    ("Cochrane Database of Systematic Reviews", "cdsr"), ("BMJ Open", "bmjopen"),
    ("PLoS One", "pone"), ("Scientific Reports", "srep"),
    ("Orphanet Journal of Rare Diseases", "ojrd"),
    ("European Archives of Psychiatry and Clinical Neuroscience", "eapcn"),
    ("Clinical Neurophysiology", "clinph"),
    ("Journal of Clinical Neuromuscular Disease", "jcnmd"),
]  # fmt: skip

PUBLISHERS = [
    ("Oxford University Press", "Oxford"),
    ("Elsevier", "Philadelphia"),
    ("Wiley-Blackwell", "Chichester"),
    ("Springer", "Cham"),
    ("CRC Press", "Boca Raton"),
    ("Cambridge University Press", "Cambridge"),
    ("McGraw Hill", "New York"),
]
GUIDELINE_BODIES = [
    ("National Institute for Health and Care Excellence", "https://www.nice.org.uk/guidance/"),
    ("Scottish Intercollegiate Guidelines Network", "https://www.sign.ac.uk/our-guidelines/"),
    ("World Health Organization", "https://www.who.int/publications/i/item/"),
    ("European Society of Cardiology", "https://www.escardio.org/Guidelines/"),
    ("American Academy of Neurology", "https://www.aan.com/Guidelines/"),
]
WEBSITES = [
    ("NHS website", "https://www.nhs.uk/conditions/"),
    ("MedlinePlus", "https://medlineplus.gov/"),
    ("Genetic and Rare Diseases Information Center", "https://rarediseases.info.nih.gov/diseases/"),
    ("Orphanet", "https://www.orpha.net/en/disease/detail/"),
    ("Patient.info", "https://patient.info/doctor/"),
]
REVIEWER_CREDENTIALS = [
    "MD, consultant neurologist", "MBBS, FRCP, consultant cardiologist",
    "MD, PhD, respiratory physician", "MB ChB, FRCP, consultant gastroenterologist",
    "MD, consultant dermatologist", "MBBS, MRCP, consultant endocrinologist",
    "MD, consultant rheumatologist", "MB BCh, PhD, consultant nephrologist",
    "MD, FRCPath, consultant haematologist", "MBBS, DTM&H, infectious diseases physician",
    "MBBS, MRCGP, general practitioner", "MD, clinical pharmacologist",
]  # fmt: skip

STUDY_WORDS = [
    "prevalence", "natural history", "long-term outcome", "randomised controlled trial",
    "systematic review", "cohort study", "case series", "genetic basis", "diagnostic accuracy",
    "quality of life", "treatment response", "clinical features", "management",
    "risk factors", "electrophysiological findings", "imaging findings", "biomarkers",
]  # fmt: skip

STUDY_DESIGNS = [
    "a multicentre study",
    "a population study",
    "a review",
    "ten-year follow-up",
    "results of a national registry",
    "a prospective study",
]
BOOK_SUBTITLES = ["a clinical guide", "principles and practice", "diagnosis and management"]
DOI_PREFIXES = [1001, 1016, 1136, 1056, 1093, 1212]

CHANGE_NOTES = [
    "Updated the treatment section after new national guidance.",
    "Added newer evidence on how common the condition is.",
    "Clarified when to get urgent medical help.",
    "Rewrote the overview in plainer English after reader feedback.",
    "Added a recent systematic review and removed an outdated study.",
    "Updated medicines and their usual doses.",
    "Expanded the diagnosis section with the tests now offered.",
    "Corrected the outlook figures and added a newer cohort study.",
]

SENTENCES = {
    "overview": [
        "{name} is a condition that affects the {organ}.",
        "It is {rarity}, and it affects people of all ages, although it is more often diagnosed "
        "in adults.",
        "Most people with {name} lead a normal life once the condition is recognised and treated.",
        "The condition was first described in detail in medical journals several decades ago.",
        "Doctors group {name} with other forms of {process} because the changes they cause in "
        "the {organ} are similar.",
        "Estimates of how many people have it vary, because mild cases are often not diagnosed.",
        "It is not contagious and cannot be passed on by contact with other people.",
        "The main symptoms are {symptom} and {symptom2}, which may come and go.",
    ],
    "causes": [
        "The exact cause of {name} is not fully understood.",
        "In some families the condition is inherited, which means a change in a gene is passed "
        "from parent to child.",
        "The immune system may attack the {organ} by mistake, causing {process}.",
        "Infections, some medicines and other illnesses can trigger it in people who are already "
        "at risk.",
        "Smoking, heavy drinking and being overweight make the condition more likely.",
        "Researchers have found changes in the {organ} of people with {name}, but it is not clear "
        "whether these are a cause or a result.",
        "Sometimes no cause is found; doctors then call it idiopathic.",
    ],
    "symptoms": [
        "The most common symptom is {symptom}.",
        "Many people also notice {symptom2}, especially after exercise or at night.",
        "Symptoms can be mild at first and become more noticeable over months or years.",
        "Some people have no symptoms at all and the condition is found during tests for "
        "something else.",
        "Symptoms often get worse during periods of stress, illness or poor sleep.",
        "Children may show different symptoms from adults, such as poor feeding or slow growth.",
    ],
    "diagnosis": [
        "A doctor will ask about your symptoms and examine you.",
        "Blood tests can rule out other conditions that cause {symptom}.",
        "Scans of the {organ}, such as an ultrasound or an MRI scan, may be needed.",
        "A specialist may arrange tests of how well the {organ} is working.",
        "There is no single test for {name}; the diagnosis is made by putting the findings "
        "together and excluding other causes.",
        "In some cases a small sample of tissue (a biopsy) is taken to confirm the diagnosis.",
        "Genetic testing may be offered if other members of your family are affected.",
    ],
    "treatment": [
        "Treatment aims to control symptoms and prevent complications.",
        "Many people need no treatment beyond reassurance and regular check-ups.",
        "Medicines can help with {symptom}; your doctor will explain the benefits and side "
        "effects.",
        "Regular gentle exercise, stretching and a healthy diet help many people.",
        "If symptoms are severe, a specialist may suggest medicines that calm the immune system.",
        "Surgery is rarely needed, but may help when the {organ} is badly affected.",
        "Treatment is usually reviewed every few months to check it is still working.",
    ],
    "prognosis": [
        "The outlook for most people with {name} is good.",
        "Symptoms often improve over time, although they can return.",
        "Serious complications are uncommon when the condition is treated early.",
        "Long-term studies show that most people keep working and stay independent.",
        "A small number of people develop a more serious form of {process} and need specialist "
        "care.",
    ],
    "when_to_get_help": [
        "See a GP if you have {symptom} that does not go away after a few weeks.",
        "Get urgent medical help if you suddenly have {symptom2} or feel very unwell.",
        "Call your local emergency number if you have chest pain, difficulty breathing or "
        "sudden weakness on one side of the body.",
        "Contact your specialist team if your usual treatment stops working.",
    ],
    "custom": [
        "Living with a long-term condition can be hard, and support is available.",
        "Patient groups offer information, advice and the chance to meet others with {name}.",
        "Tell your employer or school about the condition so that they can make adjustments.",
        "Keep a diary of your symptoms to help you and your doctor spot triggers.",
        "Research into {name} is ongoing, and you may be asked to take part in a study.",
    ],
}

SECTION_KINDS = [
    ("overview", "Overview"),
    ("causes", "Causes"),
    ("symptoms", "Symptoms"),
    ("diagnosis", "Diagnosis"),
    ("treatment", "Treatment"),
    ("prognosis", "Outlook"),
    ("when_to_get_help", "When to get medical help"),
    ("custom", "Living with {name}"),
]

#: Realistic reader searches: names, symptoms, body parts, a few typos and two-word queries.
SEARCH_TERMS = [
    "asthma", "migraine", "diabetes", "cramp", "twitching", "headache", "chest pain",
    "rash", "itching", "fatigue", "kidney", "liver", "thyroid", "arthritis", "joint pain",
    "cough", "breathlessness", "anaemia", "dizziness", "numbness", "fever", "swelling",
    "heart failure", "psoriasis", "eczema", "gout", "lupus", "epilepsy", "stroke",
    "syndrome", "chronic", "hereditary", "neuropathy", "hepatitis", "abdominal pain",
    "asthama", "migrane", "diabetis", "fasciculation", "back pain",
]  # fmt: skip

_SLUG_RE = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _SLUG_RE.sub("-", ascii_text.lower().replace("'", "")).strip("-")


def condition_names(count: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """``count`` unique (name, slug, specialty) triples: common names first, then built ones."""
    specialties = list(SPECIALTIES)
    out: list[tuple[str, str, str]] = []
    seen: set[str] = set()

    def add(name: str, specialty: str) -> None:
        slug = slugify(name)
        if slug and slug not in seen and len(out) < count:
            seen.add(slug)
            out.append((name, slug, specialty))

    for name in COMMON_CONDITIONS:
        add(name, rng.choice(specialties))
    candidates: list[tuple[str, str]] = []
    for specialty, (processes, organs, _symptoms) in SPECIALTIES.items():
        for process in processes:
            candidates.append((process.capitalize(), specialty))
            for qualifier in QUALIFIERS:
                candidates.append((f"{qualifier} {process}", specialty))
            for organ in organs:
                if organ not in process:
                    candidates.append((f"{process.capitalize()} of the {organ}", specialty))
        for eponym in EPONYMS:
            candidates.append((f"{eponym} {rng.choice(['syndrome', 'disease'])}", specialty))
    rng.shuffle(candidates)
    for name, specialty in candidates:
        add(name, specialty)
    kind = 2
    while len(out) < count:  # subtypes, as rare-disease catalogues number them
        for name, specialty in candidates:
            add(f"{name} type {kind}", specialty)
            if len(out) >= count:
                break
        kind += 1
    return out


def also_known_as(name: str, rng: random.Random) -> list[str]:
    words = [w for w in re.split(r"[\s-]+", name) if w and w[0].isalpha()]
    names = []
    if len(words) >= 2 and rng.random() < 0.5:
        names.append("".join(w[0].upper() for w in words))
    if rng.random() < 0.3:
        names.append(f"{name.split(' type ')[0]} disorder")
    return names


class TextBuilder:
    """Section bodies and summaries for one specialty, cheap enough for 100,000 sections."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def summary(self, name: str, specialty: str) -> str:
        processes, organs, symptoms = SPECIALTIES[specialty]
        rng = self.rng
        return (
            f"{name} is a {rng.choice(['rare', 'common', 'long-term', 'treatable'])} condition "
            f"of the {rng.choice(organs)} that can cause {rng.choice(symptoms)} and "
            f"{rng.choice(symptoms)}."
        )[:300]

    def body(self, *, kind: str, name: str, specialty: str, keys: list[str]) -> str:
        """About 1 KB of Markdown citing every key in ``keys`` (some twice, some in pairs)."""
        rng = self.rng
        _processes, organs, symptoms = SPECIALTIES[specialty]
        pool = SENTENCES[kind] + SENTENCES["overview"][:3]

        def sentence() -> str:
            s1, s2 = rng.sample(symptoms, 2)
            return (
                rng.choice(pool)
                .replace("{name}", name)
                .replace("{organ}", rng.choice(organs))
                .replace("{process}", rng.choice(_processes))
                .replace("{symptom}", s1)
                .replace("{symptom2}", s2)
                .replace("{rarity}", rng.choice(["rare", "uncommon", "fairly common"]))
            )

        sentences = [sentence() for _ in range(rng.randint(9, 13))]
        # Markers go after sentences, in key order, so numbering follows reading order.
        slots = sorted(rng.sample(range(len(sentences)), min(len(keys), len(sentences))))
        pending = list(keys)
        for index in slots:
            if not pending:
                break
            take = (
                2 if len(pending) > len(slots) or (rng.random() < 0.15 and len(pending) > 1) else 1
            )
            cited, pending = pending[:take], pending[take:]
            sentences[index] = (
                sentences[index][:-1] + " [" + "; ".join(f"@{k}" for k in cited) + "]."
            )
        if pending:
            sentences[-1] = sentences[-1][:-1] + " [" + "; ".join(f"@{k}" for k in pending) + "]."
        if kind in ("symptoms", "treatment", "when_to_get_help"):
            items = "\n".join(f"- {s}" for s in rng.sample(symptoms, 4))
            head, tail = sentences[:4], sentences[4:]
            return " ".join(head) + "\n\n" + items + "\n\n" + " ".join(tail)
        cut = len(sentences) // 2
        return " ".join(sentences[:cut]) + "\n\n" + " ".join(sentences[cut:])


def reference_rows(count: int, rng: random.Random) -> list[dict]:
    """``count`` reference records with unique keys, DOIs and PMIDs, spread over specialties."""
    specialties = list(SPECIALTIES)
    refs = []
    keys: set[str] = set()
    for n in range(count):
        specialty = specialties[n % len(specialties)]
        processes, organs, _symptoms = SPECIALTIES[specialty]
        roll = rng.random()
        kind = (
            "journal"
            if roll < 0.8
            else "book"
            if roll < 0.88
            else "guideline"
            if roll < 0.95
            else "webpage"
        )
        people = [
            {"family": rng.choice(FAMILY_NAMES), "given": _initials(rng)}
            for _ in range(rng.choice([1, 2, 3, 3, 4, 5, 6, 6, 7, 9]))
        ]
        year = rng.randint(1985, 2024)
        family = slugify(people[0]["family"]).replace("-", "") or "anon"
        key = f"{family}{year}"
        suffix = 0
        while key in keys:
            suffix += 1
            key = f"{family}{year}{_letters(suffix)}"
        keys.add(key)
        process = rng.choice(processes)
        title = (
            f"{rng.choice(STUDY_WORDS).capitalize()} of {process} affecting the "
            f"{rng.choice(organs)}: {rng.choice(STUDY_DESIGNS)}"
        )
        row = {
            "key": key,
            "kind": kind,
            "authors": people,
            "title": title,
            "container_title": "",
            "publisher": "",
            "place": "",
            "year": year,
            "month": None,
            "volume": "",
            "issue": "",
            "pages": "",
            "doi": None,
            "pmid": None,
            "url": "",
            "accessed_on": None,
            "retracted": rng.random() < 0.003,
        }
        if kind == "journal":
            journal, abbrev = rng.choice(JOURNALS)
            first = rng.randint(1, 2400)
            row.update(
                container_title=journal,
                volume=str(rng.randint(1, 400)),
                issue=str(rng.randint(1, 12)),
                pages=f"{first}-{first + rng.randint(3, 14)}",
                month=rng.randint(1, 12),
                doi=f"10.{rng.choice(DOI_PREFIXES)}/{abbrev}.{year}.{n:06d}",
                pmid=str(10_000_000 + n * 7) if rng.random() < 0.7 else None,
            )
        elif kind == "book":
            publisher, place = rng.choice(PUBLISHERS)
            row.update(
                title=f"{process.capitalize()}: {rng.choice(BOOK_SUBTITLES)}",
                publisher=publisher,
                place=place,
            )
        elif kind == "guideline":
            body, url = rng.choice(GUIDELINE_BODIES)
            row.update(
                authors=[{"literal": body}],
                title=f"{process.capitalize()}: diagnosis and management",
                publisher=body,
                url=f"{url}ng{n}",
                accessed_on=(2020 + n % 5, 1 + n % 12, 1 + n % 28),
            )
        else:
            site, url = rng.choice(WEBSITES)
            row.update(
                authors=[{"literal": site}],
                title=process.capitalize(),
                container_title=site,
                url=f"{url}{slugify(process)}-{n}",
                accessed_on=(2021 + n % 4, 1 + n % 12, 1 + n % 28),
            )
        refs.append(row)
    return refs


def _initials(rng: random.Random) -> str:
    return "".join(rng.choice("ABCDEFGHJKLMNPRSTW") for _ in range(rng.choice([1, 2, 2, 3])))


def _letters(n: int) -> str:
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(97 + rem) + out
    return out
