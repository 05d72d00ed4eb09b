"""Demo library for the knowledge base: references, five condition articles and demo users.

Every article here was written in our own words, in plain English for patients and families,
from facts found in public web pages about cramp-fasciculation syndrome and related conditions.
No sentence is copied from those pages. The references are only works those pages cite; no
DOI, PMID or other identifier has been added that the pages did not give.

Citation markers in section bodies look like ``[@jansen1991]`` or ``[@jansen1991; @hart2002]``
and always name a ``key`` from ``REFERENCES``.
"""

from __future__ import annotations


def _md(*blocks: str) -> str:
    """Join Markdown blocks (paragraphs or lists) with a blank line between them."""
    return "\n\n".join(blocks)


def _ul(*items: str) -> str:
    """A CommonMark bullet list, one ``- `` item per line."""
    return "\n".join(f"- {item}" for item in items)


# ---------------------------------------------------------------------------------------------
# References: only works the source pages cite, recorded as the pages give them.
# ---------------------------------------------------------------------------------------------

REFERENCES: list[dict] = [
    {
        "key": "jansen1991",
        "kind": "journal",
        "authors": ["Jansen PH", "van Dijck JA", "Verbeek AL", "Durian FW", "Joosten EM"],
        "title": (
            "Estimation of the frequency of the muscular pain-fasciculation syndrome and the "
            "muscular cramp-fasciculation syndrome in the adult population"
        ),
        "journal": "European Archives of Psychiatry and Clinical Neuroscience",
        "publisher": "",
        "year": 1991,
        "volume": "241",
        "issue": "",
        "pages": "102-104",
        "doi": "",
        "pmid": "",
        "url": "",
        "accessed": "2013-01-22",
    },
    {
        "key": "decarvalho2004",
        "kind": "journal",
        "authors": ["de Carvalho M", "Swash M"],
        "title": "Cramps, muscle pain, and fasciculations: not always benign?",
        "journal": "Neurology",
        "publisher": "",
        "year": 2004,
        "volume": "63",
        "issue": "",
        "pages": "721-723",
        "doi": "",
        "pmid": "",
        "url": "",
        "accessed": "2013-01-22",
    },
    {
        "key": "hart2002",
        "kind": "journal",
        "authors": ["Hart IK", "Maddison P", "Newsom-Davis J", "Vincent A", "Mills KR"],
        "title": "Phenotypic variants of autoimmune peripheral nerve hyperexcitability",
        "journal": "Brain",
        "publisher": "",
        "year": 2002,
        "volume": "125",
        "issue": "",
        "pages": "1887-1895",
        "doi": "",
        "pmid": "",
        "url": "",
        "accessed": "2013-01-22",
    },
    {
        "key": "decarvalho2013",
        "kind": "journal",
        "authors": ["de Carvalho M", "Swash M"],
        "title": (
            "Origin of fasciculations in amyotrophic lateral sclerosis and benign fasciculation "
            "syndrome"
        ),
        "journal": "JAMA Neurology",
        "publisher": "",
        "year": 2013,
        "volume": "70",
        "issue": "12",
        "pages": "1562-1565",
        "doi": "",
        "pmid": "",
        "url": "",
        "accessed": "",
    },
    {
        "key": "filippakis2017",
        "kind": "journal",
        "authors": ["Filippakis A", "et al."],
        "title": "Prospective study of benign fasciculation syndrome",
        "journal": "",
        "publisher": "",
        "year": 2017,
        "volume": "",
        "issue": "",
        "pages": "S45.007",
        "doi": "",
        "pmid": "",
        "url": "",
        "accessed": "",
    },
    {
        "key": "hoge2017",
        "kind": "journal",
        "authors": ["Hoge EA", "et al."],
        "title": (
            "The effect of mindfulness meditation training on biological acute stress responses "
            "in generalized anxiety disorder"
        ),
        "journal": "Psychiatry Research",
        "publisher": "",
        "year": 2017,
        "volume": "",
        "issue": "",
        "pages": "",
        "doi": "",
        "pmid": "",
        "url": "",
        "accessed": "",
    },
    {
        "key": "thoma2013",
        "kind": "journal",
        "authors": ["Thoma MV", "et al."],
        "title": "The effect of music on the human stress response",
        "journal": "PLoS One",
        "publisher": "",
        "year": 2013,
        "volume": "8",
        "issue": "8",
        "pages": "e70156",
        "doi": "",
        "pmid": "",
        "url": "",
        "accessed": "",
    },
    {
        "key": "beetz2012",
        "kind": "journal",
        "authors": ["Beetz A", "et al."],
        "title": (
            "Psychosocial and psychophysiological effects of human-animal interactions: "
            "the possible role of oxytocin"
        ),
        "journal": "Frontiers in Psychology",
        "publisher": "",
        "year": 2012,
        "volume": "3",
        "issue": "",
        "pages": "",
        "doi": "",
        "pmid": "",
        "url": "",
        "accessed": "",
    },
]


# ---------------------------------------------------------------------------------------------
# Cramp-fasciculation syndrome: published revision and a newer revision in review.
# ---------------------------------------------------------------------------------------------

_CFS_OVERVIEW = {
    "kind": "overview",
    "heading": "What is cramp-fasciculation syndrome?",
    "body": _md(
        "Cramp-fasciculation syndrome (CFS) is an uncommon condition that causes muscle "
        "twitches (fasciculations) and muscle cramps that keep coming back. The muscles "
        "themselves are healthy. The trouble lies in the nerves that control them, which send "
        "out extra signals when they should be resting [@hart2002].",
        "The legs, and the calves in particular, are affected most often, but twitching and "
        "cramps can also happen in the arms, the trunk or other parts of the body. Many people "
        "notice that exercise makes their symptoms worse [@jansen1991; @decarvalho2004].",
        "Doctors group CFS with a small family of conditions where the nerves outside the brain "
        "and spinal cord are overactive. Neuromyotonia, also called Isaacs' syndrome, belongs to "
        "the same family [@hart2002]. CFS is usually the milder of the two.",
        "CFS can be uncomfortable, painful and tiring, and it can get in the way of everyday "
        "life. It is not life-threatening.",
    ),
}

_CFS_CAUSES = {
    "kind": "causes",
    "heading": "Causes",
    "body": _md(
        "In many people, no clear cause is ever found. In some, it seems the immune system "
        "makes antibodies that act on the nerves supplying the muscles and make them "
        "overexcitable [@hart2002].",
        "Things that have been linked with CFS include:",
        _ul(
            "an immune (autoimmune) reaction affecting the nerves",
            "a recent viral infection, which may set off symptoms or make them worse",
            "stopping certain medicines that act on the brain and nerves, such as benzodiazepines",
            "very rarely, a family tendency, as it has occasionally been seen in more than one "
            "person in the same family",
        ),
        "Tiredness, stress, caffeine and hard exercise do not cause CFS, but they can make "
        "twitching and cramps more noticeable.",
    ),
}

_CFS_SYMPTOMS = {
    "kind": "symptoms",
    "heading": "Symptoms",
    "body": _md(
        "Symptoms vary from person to person. They may be there most of the time or come and "
        "go. The main ones are:",
        _ul(
            "twitching you can often see under the skin, most commonly in the calves but also "
            "in the arms or face",
            "painful cramps, which can come on at rest or during activity",
            "stiff or tight muscles, especially in the arms and legs",
            "aching and discomfort in the muscles",
            "tiredness, partly caused by the constant muscle activity",
        ),
        "Living with symptoms that do not go away can understandably lead to worry and poor sleep.",
        "CFS does not usually cause true muscle weakness or muscle wasting, where a muscle "
        "becomes visibly thinner. If either of these happens, it points to a different cause "
        "and needs to be checked by a doctor.",
    ),
}

_CFS_DIAGNOSIS = {
    "kind": "diagnosis",
    "heading": "How it is diagnosed",
    "body": _md(
        "There is no single test for CFS. A doctor makes the diagnosis by asking about your "
        "symptoms, examining you and ruling out other conditions that cause twitching and "
        "cramps. You may be referred to a neurologist, a doctor who specialises in the nerves "
        "and brain.",
        "Tests may include:",
        _ul(
            "electromyography (EMG), where a fine needle records electrical activity in the "
            "muscles; in CFS the twitches are usually the only finding",
            "nerve conduction studies, which use small electrical pulses to check how well the "
            "nerves carry signals",
            "blood tests, for example to check salts and minerals, thyroid function and signs "
            "of immune activity",
            "sometimes an MRI scan, to rule out a problem in the spine or brain",
        ),
        "Conditions a doctor will want to rule out include:",
        _ul(
            "motor neurone disease, also called amyotrophic lateral sclerosis (ALS)",
            "benign fasciculation syndrome, where twitching happens with few or no cramps",
            "neuromyotonia (Isaacs' syndrome), where stiffness is usually more marked",
            "an overactive thyroid gland",
            "low levels of minerals such as magnesium or calcium",
            "a trapped or damaged nerve, for example from a problem in the spine",
            "side effects of medicines",
        ),
    ),
}

_CFS_TREATMENT_V1 = {
    "kind": "treatment",
    "heading": "Treatment",
    "body": _md(
        "There is no cure for CFS, but treatment can often ease the symptoms. It aims to calm "
        "the overactive nerves and help with cramps and discomfort. People with mild symptoms "
        "may not need medicine at all.",
        "Medicines a specialist may suggest include:",
        _ul(
            "medicines first developed for epilepsy, such as carbamazepine, phenytoin or "
            "gabapentin, which calm overactive nerves",
            "a muscle relaxant such as baclofen, for cramps and stiffness",
            "treatments that damp down the immune system, such as steroids, if an immune "
            "cause is suspected",
            "magnesium or other supplements, but only if blood tests show you are low",
        ),
        "Gentle stretching, physiotherapy, drinking enough fluids, cutting down on caffeine "
        "and finding ways to manage stress can also help.",
    ),
}

_CFS_TREATMENT_V2 = {
    "kind": "treatment",
    "heading": "Treatment",
    "body": _md(
        "There is no cure for CFS, but treatment can often ease the symptoms a great deal. It "
        "aims to calm the overactive nerves, relieve cramps and pain, and help you stay active. "
        "People with mild symptoms may manage well without medicine.",
        "Medicines a specialist may suggest include:",
        _ul(
            "anticonvulsants, medicines first developed for epilepsy, such as carbamazepine, "
            "phenytoin or gabapentin; carbamazepine is one of the medicines most often used for "
            "painful cramps in CFS",
            "a muscle relaxant such as baclofen, for cramps and stiffness",
            "treatments that damp down the immune system, such as steroids or immunoglobulin "
            "given through a drip (IVIG), if an immune cause is suspected",
            "magnesium or other supplements, but only if blood tests show you are low",
            "medicine or talking therapy for anxiety, if worry is making symptoms harder to "
            "live with",
        ),
        "Like all medicines, these can cause side effects. Drowsiness, especially in the "
        "morning, and dizziness are common with carbamazepine, and they often settle. Your "
        "doctor will usually start with a low dose and increase it slowly. Do not stop a "
        "prescribed medicine suddenly without talking to your doctor first.",
        "Things you can try yourself:",
        _ul(
            "stretch the affected muscles gently and regularly, particularly the calves",
            "ask about physiotherapy to improve flexibility and ease stiffness",
            "drink enough fluids through the day",
            "cut down on caffeine, which can make twitching worse",
            "try relaxation, breathing exercises or other ways of managing stress",
            "keep a regular sleep routine",
        ),
    ),
}

_CFS_PROGNOSIS = {
    "kind": "prognosis",
    "heading": "Outlook",
    "body": _md(
        "CFS is not life-threatening. For most people it stays much the same over time and "
        "does not turn into a more serious illness such as motor neurone disease "
        "[@decarvalho2004].",
        "Symptoms can last for years, and they may be better or worse at different times. Many "
        "people find that treatment brings real relief, although some still have cramps or "
        "twitching now and then.",
        "Getting a clear diagnosis and help with symptoms early on can ease worry, improve "
        "sleep and make it easier to stay active.",
    ),
}

_CFS_HOW_COMMON = {
    "kind": "custom",
    "heading": "How common it is",
    "body": _md(
        "CFS is thought to be rare. Because it is not dangerous, some people with mild "
        "symptoms may never see a doctor about it, which makes it hard to know exactly how "
        "many people have it.",
        "One of the few studies to look at this question, published in 1991, set out to "
        "estimate how often CFS, and a closely related condition in which muscle pain comes "
        "with twitching, occur among adults [@jansen1991].",
        "Occasional muscle twitches and cramps on their own are very common, and most people "
        "have them at some point. Having them now and then does not mean you have CFS.",
    ),
}

_CFS_WHEN_TO_GET_HELP = {
    "kind": "when_to_get_help",
    "heading": "When to get medical help",
    "body": _md(
        "See a GP if:",
        _ul(
            "twitching or cramps last more than a few weeks or keep coming back",
            "cramps are painful enough to disturb your sleep or daily life",
            "you think a medicine might be causing your symptoms",
            "worry about your symptoms is affecting how you feel",
        ),
        "Ask for an urgent GP appointment if, as well as twitching or cramps:",
        _ul(
            "a muscle feels weak, for example you trip, drop things or struggle with buttons",
            "a muscle looks thinner than before",
            "your speech becomes slurred or you have trouble swallowing",
        ),
    ),
}

_CFS_PUBLISHED = {
    "name": "Cramp-fasciculation syndrome",
    "also_known_as": [
        "CFS",
        "Benign crampy fasciculation syndrome",
        "Muscular cramp-fasciculation syndrome",
    ],
    "summary": (
        "A rare, long-lasting condition in which overactive nerves cause muscle twitches and "
        "cramps, mostly in the legs, without the weakness or wasting of more serious illnesses."
    ),
    "change_note": "First published.",
    "sections": [
        _CFS_OVERVIEW,
        _CFS_CAUSES,
        _CFS_SYMPTOMS,
        _CFS_DIAGNOSIS,
        _CFS_TREATMENT_V1,
        _CFS_PROGNOSIS,
        _CFS_HOW_COMMON,
        _CFS_WHEN_TO_GET_HELP,
    ],
}

_CFS_IN_REVIEW = {
    "name": "Cramp-fasciculation syndrome",
    "also_known_as": [
        "CFS",
        "Benign crampy fasciculation syndrome",
        "Muscular cramp-fasciculation syndrome",
    ],
    "summary": (
        "An uncommon, long-term nerve condition causing muscle twitches and painful cramps, "
        "mostly in the legs, that is not life-threatening and can often be eased with treatment."
    ),
    "change_note": (
        "Expanded the treatment section: more on anticonvulsants, immune treatments, "
        "side effects and self-help. Reworded the summary."
    ),
    "sections": [
        _CFS_OVERVIEW,
        _CFS_CAUSES,
        _CFS_SYMPTOMS,
        _CFS_DIAGNOSIS,
        _CFS_TREATMENT_V2,
        _CFS_PROGNOSIS,
        _CFS_HOW_COMMON,
        _CFS_WHEN_TO_GET_HELP,
    ],
}


# ---------------------------------------------------------------------------------------------
# Benign fasciculation syndrome: a draft only, never published.
# ---------------------------------------------------------------------------------------------

_BFS_DRAFT = {
    "name": "Benign fasciculation syndrome",
    "also_known_as": ["BFS", "Benign fasciculations"],
    "summary": (
        "A harmless condition in which muscle twitches keep happening for weeks, months or "
        "longer, with no weakness, wasting or other sign of nerve damage."
    ),
    "change_note": "First draft.",
    "sections": [
        {
            "kind": "overview",
            "heading": "What is benign fasciculation syndrome?",
            "body": _md(
                "Benign fasciculation syndrome (BFS) means having muscle twitches "
                "(fasciculations) that carry on for a long time, in someone whose nerves and "
                "muscles are otherwise healthy. Benign means it is not harmful.",
                "The twitches can happen in almost any muscle, but the calves, thighs and "
                "eyelids are common places. Some people also have mild cramps, but these are "
                "less of a problem than in cramp-fasciculation syndrome.",
                "BFS does not cause weakness or muscle wasting, and examination and nerve tests "
                "are normal apart from the twitches themselves.",
            ),
        },
        {
            "kind": "causes",
            "heading": "Causes",
            "body": _md(
                "The exact cause of BFS is not known. For some people the twitching starts "
                "after a viral illness.",
                "Things that can bring on twitches or make them worse include:",
                _ul(
                    "stress and anxiety",
                    "tiredness and lack of sleep",
                    "hard exercise",
                    "caffeine, alcohol and smoking",
                    "some medicines, including certain antihistamines, decongestants and "
                    "asthma relievers",
                    "low levels of minerals such as magnesium or calcium",
                ),
            ),
        },
        {
            "kind": "symptoms",
            "heading": "Symptoms",
            "body": _md(
                "The main symptom is twitching you cannot control. It is usually most "
                "noticeable when you are resting, and it often stops when you use the muscle. "
                "The twitches tend to keep coming back in the same places.",
                "Some people also notice:",
                _ul(
                    "mild cramps or stiffness",
                    "tingling or numbness",
                    "a feeling of tiredness or heaviness in the muscles, without true weakness",
                    "worry about what the twitching means, which can make it more noticeable",
                ),
            ),
        },
        {
            "kind": "diagnosis",
            "heading": "How it is diagnosed",
            "body": _md(
                "BFS is diagnosed by ruling out other causes. A GP will ask about your "
                "symptoms, medicines, caffeine and stress, and will check your strength, "
                "reflexes and sensation.",
                "You may have blood tests, for example to check your thyroid and mineral "
                "levels. If there is any doubt, you may be referred to a neurologist for "
                "electromyography (EMG), which records electrical activity in the muscles. In "
                "BFS the twitches are the only thing it finds.",
                "Researchers have compared how twitches start in BFS and in motor neurone "
                "disease, to help doctors tell the two apart [@decarvalho2013].",
            ),
        },
        {
            "kind": "treatment",
            "heading": "Treatment",
            "body": _md(
                "Many people need no treatment once they know the twitching is harmless. "
                "Cutting back on caffeine and alcohol, not smoking, sleeping well and keeping "
                "active can all help.",
                "If twitching or cramps are very troublesome, a doctor may suggest a medicine "
                "to calm the nerves or a muscle relaxant. If a blood test shows a mineral is "
                "low, a supplement may help.",
                "If worry is a big part of the problem, treating the anxiety often helps more "
                "than anything aimed at the twitches.",
            ),
        },
        {
            "kind": "custom",
            "heading": "Coping with worry",
            "body": _md(
                "Twitching that will not stop can be frightening, especially after reading "
                "about serious illnesses online. It is normal to feel anxious, and anxiety can "
                "make twitches more frequent, which can become a cycle.",
                "Ways of calming the body's stress response have been studied, and some people "
                "find them useful:",
                _ul(
                    "mindfulness meditation [@hoge2017]",
                    "listening to music [@thoma2013]",
                    "spending time with a pet [@beetz2012]",
                ),
                "If anxiety is hard to manage, talk to a GP. Talking therapies such as "
                "cognitive behavioural therapy (CBT) can help.",
            ),
        },
        {
            "kind": "prognosis",
            "heading": "Outlook",
            "body": _md(
                "BFS is harmless. It does not turn into motor neurone disease or any other "
                "serious illness, and it does not shorten life.",
                "The twitching can last for months or years, and it often comes and goes. For "
                "many people it becomes less noticeable over time. Researchers have followed "
                "groups of people with BFS over time to learn more about how it behaves "
                "[@filippakis2017].",
            ),
        },
        {
            "kind": "when_to_get_help",
            "heading": "When to get medical help",
            "body": _md(
                "See a GP if twitching lasts more than 2 weeks, affects more than one part of "
                "your body, or you think a medicine may be causing it.",
                "Ask for an urgent GP appointment if you have twitching together with:",
                _ul(
                    "muscle weakness, such as tripping or dropping things",
                    "a muscle that looks thinner than before",
                    "slurred speech or difficulty swallowing",
                ),
            ),
        },
    ],
}


# ---------------------------------------------------------------------------------------------
# Amyotrophic lateral sclerosis (motor neurone disease).
# ---------------------------------------------------------------------------------------------

_ALS_PUBLISHED = {
    "name": "Amyotrophic lateral sclerosis",
    "also_known_as": ["motor neurone disease", "Lou Gehrig's disease", "ALS", "MND"],
    "summary": (
        "A serious condition in which the nerve cells that control the muscles slowly stop "
        "working, causing weakness and muscle wasting that get worse over time."
    ),
    "change_note": "First published.",
    "sections": [
        {
            "kind": "overview",
            "heading": "What is amyotrophic lateral sclerosis?",
            "body": _md(
                "Amyotrophic lateral sclerosis (ALS) is the most common type of motor neurone "
                "disease (MND). It affects motor neurones, the nerve cells in the brain and "
                "spinal cord that send messages to the muscles.",
                "As these nerve cells stop working, the muscles they control become weak and "
                "waste away. The condition gets worse over time and shortens life. It is "
                "uncommon.",
                "ALS is often the illness people fear when they notice muscle twitching. "
                "Twitching on its own, without weakness or wasting, is very rarely caused "
                "by ALS.",
            ),
        },
        {
            "kind": "causes",
            "heading": "Causes",
            "body": _md(
                "In most people the cause of ALS is not known. It is likely to come from a mix "
                "of genetic and other factors that researchers are still working to "
                "understand.",
                "A small number of people have a family history of the condition, and in some "
                "of them a faulty gene has been found. For most people there is no family "
                "history.",
                "ALS is not caused by anything a person did, and it cannot be caught from "
                "someone else.",
            ),
        },
        {
            "kind": "symptoms",
            "heading": "Symptoms",
            "body": _md(
                "Symptoms usually start slowly, often in one hand, arm, leg or foot, or in the "
                "muscles used for speaking and swallowing. They then spread to other parts of "
                "the body. Early signs can include:",
                _ul(
                    "weakness, such as tripping, dropping things or a weak grip",
                    "muscles that look thinner (wasting)",
                    "slurred speech or difficulty swallowing",
                    "muscle twitching that starts in one area and spreads to nearby muscles",
                    "cramps and stiff muscles",
                ),
                "Weakness and wasting are the key features. Some people also have changes in "
                "thinking or behaviour.",
            ),
        },
        {
            "kind": "diagnosis",
            "heading": "How it is diagnosed",
            "body": _md(
                "There is no single test for ALS. A neurologist makes the diagnosis after "
                "examining you and ruling out other conditions. They look for weakness, muscle "
                "wasting, twitching and changes in the reflexes, and for a pattern that gets "
                "worse over time.",
                "Electromyography (EMG) is one of the most important tests. In ALS it often "
                "shows nerve damage spread across many muscles, including some that still seem "
                "normal. Blood tests, nerve conduction studies and MRI scans help rule out "
                "other causes.",
                "Having some twitches with normal strength and a normal EMG apart from the "
                "twitches is not enough to diagnose ALS. Researchers have studied how twitches "
                "in ALS differ from those in harmless conditions [@decarvalho2013].",
            ),
        },
        {
            "kind": "treatment",
            "heading": "Treatment",
            "body": _md(
                "There is no cure for ALS, but care and treatment can help people stay as "
                "independent and comfortable as possible.",
                "Care is usually led by a team of specialists, which may include a "
                "neurologist, specialist nurse, physiotherapist, occupational therapist, "
                "speech and language therapist and dietitian.",
                "A medicine called riluzole may slow the condition slightly for some people. "
                "Other medicines can ease cramps, stiffness and other symptoms. Help with "
                "breathing and with eating and drinking, such as a feeding tube, may be "
                "offered as the condition progresses. Palliative care teams support people "
                "and their families throughout.",
            ),
        },
        {
            "kind": "prognosis",
            "heading": "Outlook",
            "body": _md(
                "ALS gets worse over time, and it shortens life. How quickly it progresses "
                "varies a great deal from one person to another.",
                "For many people, life expectancy is a few years from when symptoms begin, but "
                "some people live with the condition for much longer. Your care team can talk "
                "with you about what to expect and help you plan ahead.",
            ),
        },
        {
            "kind": "when_to_get_help",
            "heading": "When to get medical help",
            "body": _md(
                "See a GP if you have muscle weakness that is getting worse, a muscle that "
                "looks thinner than before, slurred speech or difficulty swallowing, "
                "especially if you also notice twitching.",
                "Twitching with no weakness is very common and is rarely a sign of ALS, but it "
                "is still worth seeing a GP if it lasts more than a few weeks.",
                "Get urgent medical help if you are short of breath or have trouble breathing.",
            ),
        },
    ],
}


# ---------------------------------------------------------------------------------------------
# Neuromyotonia (Isaacs' syndrome).
# ---------------------------------------------------------------------------------------------

_NMT_PUBLISHED = {
    "name": "Neuromyotonia",
    "also_known_as": [
        "Isaacs' syndrome",
        "Isaacs syndrome",
        "acquired neuromyotonia",
        "peripheral nerve hyperexcitability",
    ],
    "summary": (
        "A rare condition in which overactive nerves keep muscles working all the time, "
        "causing stiffness, rippling twitches, cramps and slow relaxation after use."
    ),
    "change_note": "First published.",
    "sections": [
        {
            "kind": "overview",
            "heading": "What is neuromyotonia?",
            "body": _md(
                "Neuromyotonia, also called Isaacs' syndrome, is a rare condition where the "
                "nerves that supply the muscles fire again and again without a signal from the "
                "brain. This keeps the muscles active even when you are resting or asleep.",
                "It belongs to a group of conditions in which the nerves outside the brain and "
                "spinal cord are overexcitable. The milder cramp-fasciculation syndrome is part "
                "of the same group [@hart2002].",
                "Neuromyotonia can affect both children and adults.",
            ),
        },
        {
            "kind": "causes",
            "heading": "Causes",
            "body": _md(
                "Most cases are acquired, which means they develop during life rather than "
                "being inherited. In many of these, the immune system makes antibodies that "
                "interfere with the nerves, making them overexcitable. These antibodies are "
                "found in some people with the condition but not all [@hart2002].",
                "People with neuromyotonia are more likely than others to have another "
                "autoimmune condition, such as myasthenia gravis [@hart2002].",
                "Neuromyotonia can also:",
                _ul(
                    "occur with a tumour, sometimes of the thymus gland in the chest",
                    "occur alongside other nerve conditions (neuropathies)",
                    "rarely, run in families",
                ),
            ),
        },
        {
            "kind": "symptoms",
            "heading": "Symptoms",
            "body": _md(
                "Symptoms usually build up gradually. They often start in the hands and feet "
                "and spread towards the body. They can include:",
                _ul(
                    "muscle stiffness, which can make walking feel stiff and awkward",
                    "rippling or twitching under the skin",
                    "cramps",
                    "muscles that are slow to relax after use, such as difficulty letting go "
                    "after gripping",
                    "fingers or toes held bent or straight",
                    "muscle discomfort, pins and needles or heavy sweating",
                ),
                "The symptoms carry on during sleep. Cramps, muscle aches and twitching also "
                "happen in the milder cramp-fasciculation syndrome [@hart2002; @decarvalho2004].",
            ),
        },
        {
            "kind": "diagnosis",
            "heading": "How it is diagnosed",
            "body": _md(
                "A neurologist will ask about your symptoms and examine you. The most useful "
                "test is electromyography (EMG), which records electrical activity in the "
                "muscles. In neuromyotonia it shows typical bursts of activity from the "
                "overactive nerves.",
                "Other tests may include:",
                _ul(
                    "nerve conduction studies, to check how well the nerves carry signals",
                    "blood tests for antibodies linked with the condition and for other "
                    "autoimmune conditions",
                    "a scan of the chest, to look for a tumour of the thymus gland",
                ),
            ),
        },
        {
            "kind": "treatment",
            "heading": "Treatment",
            "body": _md(
                "Treatment aims to calm the overactive nerves and, where there is an immune "
                "cause, to treat that too.",
                _ul(
                    "medicines first developed for epilepsy, such as carbamazepine, phenytoin or "
                    "gabapentin, can reduce stiffness, twitching and cramps",
                    "plasma exchange, which filters antibodies out of the blood, or "
                    "immunoglobulin given through a drip (IVIG) can help when antibodies are "
                    "involved",
                    "steroids or other medicines that damp down the immune system may be used "
                    "for longer-term control",
                    "if a tumour is found, treating it can improve the nerve symptoms",
                ),
                "Physiotherapy can help with stiffness and keeping mobile.",
            ),
        },
        {
            "kind": "prognosis",
            "heading": "Outlook",
            "body": _md(
                "The outlook varies. Many people improve with treatment, and for some the "
                "symptoms ease over time. Others have symptoms for many years and need "
                "long-term treatment.",
                "When neuromyotonia is linked with a tumour, the outlook depends mostly on the "
                "tumour and its treatment. Regular check-ups help to spot any change early.",
            ),
        },
        {
            "kind": "when_to_get_help",
            "heading": "When to get medical help",
            "body": _md(
                "See a GP if you have muscle stiffness, twitching or cramps that do not go "
                "away, or if your muscles are slow to relax after you use them.",
                "If you already have a diagnosis, tell your specialist if symptoms get worse, "
                "or if you notice new problems such as weight loss, a cough that will not go "
                "away or difficulty sleeping.",
                "Get urgent medical help if you have trouble breathing or swallowing.",
            ),
        },
    ],
}


# ---------------------------------------------------------------------------------------------
# Fasciculations (muscle twitching).
# ---------------------------------------------------------------------------------------------

_FASC_PUBLISHED = {
    "name": "Fasciculations",
    "also_known_as": ["muscle twitching", "muscle twitches"],
    "summary": (
        "Small twitches in a muscle that you cannot control; they are very common, usually "
        "harmless and often linked to caffeine, stress, tiredness or exercise."
    ),
    "change_note": "First published.",
    "sections": [
        {
            "kind": "overview",
            "heading": "What are fasciculations?",
            "body": _md(
                "Fasciculations are small, quick twitches in a muscle that happen on their own. "
                "You may see a flicker under the skin or feel a fluttering.",
                "Each muscle is made up of many small units, each controlled by a single nerve "
                "cell. A twitch happens when one of these units fires without being told to by "
                "the brain.",
                "Almost everyone has muscle twitches at some time. The eyelids, calves and "
                "thumbs are common places. Most twitches are harmless and go away on their "
                "own.",
            ),
        },
        {
            "kind": "causes",
            "heading": "Causes",
            "body": _md(
                "Common, harmless causes include:",
                _ul(
                    "caffeine",
                    "stress and anxiety",
                    "tiredness and lack of sleep",
                    "exercise, especially hard or long exercise",
                    "alcohol and smoking",
                    "low levels of magnesium or calcium",
                ),
                "Some medicines can cause twitching, including certain antihistamines, "
                "decongestants such as pseudoephedrine, asthma relievers, stimulants such as "
                "methylphenidate and some antidepressants. Twitching usually stops once the "
                "medicine is stopped.",
                "Less often, twitching is linked to an overactive thyroid, a trapped nerve or "
                "conditions such as benign fasciculation syndrome. Rarely, it is part of a "
                "nerve condition such as motor neurone disease, but then other symptoms, such "
                "as weakness, are also present.",
            ),
        },
        {
            "kind": "symptoms",
            "heading": "Symptoms",
            "body": _md(
                "A twitch is a brief flicker or jump in part of a muscle. It is not painful, "
                "and it does not move the whole limb. Twitches are usually most noticeable when "
                "you are resting, and they often stop when you use the muscle.",
                "They can come and go over days or weeks. Some people also have cramps or "
                "tingling in the same area.",
                "If twitching is the only symptom, with no weakness, muscle wasting or change "
                "in reflexes, it is very unlikely to be a sign of anything serious.",
            ),
        },
        {
            "kind": "diagnosis",
            "heading": "How it is diagnosed",
            "body": _md(
                "Most people with twitching do not need any tests. A GP will ask how long it "
                "has been going on, where it happens, and about caffeine, alcohol, stress and "
                "medicines. They will check your strength and reflexes.",
                "If needed, blood tests can check your thyroid and your mineral levels. If "
                "there are other signs, such as weakness, you may be referred to a neurologist "
                "for tests such as electromyography (EMG).",
            ),
        },
        {
            "kind": "treatment",
            "heading": "Treatment",
            "body": _md(
                "Harmless twitching usually needs no treatment. It may help to:",
                _ul(
                    "cut down on caffeine and alcohol",
                    "stop smoking",
                    "get enough sleep and rest",
                    "find ways to manage stress",
                    "eat foods rich in magnesium, such as nuts, bananas and spinach",
                ),
                "If you think a medicine is causing twitching, speak to a pharmacist or GP. Do "
                "not stop a prescribed medicine without advice. Magnesium supplements are only "
                "useful if your levels are low.",
            ),
        },
        {
            "kind": "prognosis",
            "heading": "Outlook",
            "body": _md(
                "Most twitches settle within days or a few weeks, especially once triggers such "
                "as caffeine, stress or tiredness are reduced.",
                "Some people have twitching that keeps coming back for months or years without "
                "any other problem. This is known as benign fasciculation syndrome and is "
                "harmless.",
            ),
        },
        {
            "kind": "when_to_get_help",
            "heading": "When to get medical help",
            "body": _md(
                "See a GP if:",
                _ul(
                    "a twitch lasts more than 2 weeks",
                    "twitching happens in more than one part of your body",
                    "you think a medicine might be causing it",
                ),
                "Ask for an urgent GP appointment if twitching comes with muscle weakness, a "
                "muscle that looks thinner, slurred speech or difficulty swallowing.",
            ),
        },
    ],
}


# ---------------------------------------------------------------------------------------------
# The five conditions, in display order.
# ---------------------------------------------------------------------------------------------

CONDITIONS: list[dict] = [
    {
        "slug": "cramp-fasciculation-syndrome",
        "related": [
            "benign-fasciculation-syndrome",
            "neuromyotonia",
            "fasciculations",
            "amyotrophic-lateral-sclerosis",
        ],
        "published": _CFS_PUBLISHED,
        "in_review": _CFS_IN_REVIEW,
        "draft": None,
    },
    {
        "slug": "benign-fasciculation-syndrome",
        "related": [
            "fasciculations",
            "cramp-fasciculation-syndrome",
            "amyotrophic-lateral-sclerosis",
        ],
        "published": None,
        "in_review": None,
        "draft": _BFS_DRAFT,
    },
    {
        "slug": "amyotrophic-lateral-sclerosis",
        "related": [
            "fasciculations",
            "cramp-fasciculation-syndrome",
            "benign-fasciculation-syndrome",
        ],
        "published": _ALS_PUBLISHED,
        "in_review": None,
        "draft": None,
    },
    {
        "slug": "neuromyotonia",
        "related": ["cramp-fasciculation-syndrome", "fasciculations"],
        "published": _NMT_PUBLISHED,
        "in_review": None,
        "draft": None,
    },
    {
        "slug": "fasciculations",
        "related": [
            "benign-fasciculation-syndrome",
            "cramp-fasciculation-syndrome",
            "amyotrophic-lateral-sclerosis",
            "neuromyotonia",
        ],
        "published": _FASC_PUBLISHED,
        "in_review": None,
        "draft": None,
    },
]


# ---------------------------------------------------------------------------------------------
# Demo users (fictional people).
# ---------------------------------------------------------------------------------------------

DEMO_USERS: list[dict] = [
    {
        "username": "author",
        "display_name": "Priya Lowell",
        "credentials": "BSc, health information writer",
        "role": "Author",
        "email": "author@example.org",
    },
    {
        "username": "author2",
        "display_name": "Tom Ashdown",
        "credentials": "MA, medical writer",
        "role": "Author",
        "email": "author2@example.org",
    },
    {
        "username": "reviewer",
        "display_name": "Dr Amira Haddad",
        "credentials": "MD, FRCP, consultant neurologist",
        "role": "Medical reviewer",
        "email": "reviewer@example.org",
    },
    {
        "username": "reviewer2",
        "display_name": "Dr Jonah Fairweather",
        "credentials": "MBBS, PhD, consultant clinical neurophysiologist",
        "role": "Medical reviewer",
        "email": "reviewer2@example.org",
    },
    {
        "username": "publisher",
        "display_name": "Rosa Delaney",
        "credentials": "Managing editor",
        "role": "Publisher",
        "email": "publisher@example.org",
    },
]
