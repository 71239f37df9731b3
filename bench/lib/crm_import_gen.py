"""Deterministic test data of `bench/run crm-import`: a home-made Indian broker sheet.

    python bench/lib/crm_import_gen.py --rows 1000000 --seed 7 --out DIR [--verify]

writes into DIR
  leads.csv            the sheet: `Client Name,Mobile,WhatsApp,Email ID,Company,City,Budget (Cr),
                       Project Interested,Config,Source,Remarks,Enquiry Date`, UTF-8 with a BOM (Excel's
                       "CSV UTF-8"), CRLF records; quoted cells with commas, doubled quotes and newlines
  existing_people.csv  people already in the CRM: id, tenant_id, full_name, name_key, primary_phone (E.164),
                       primary_email, city. The first `matching` of them are the people that 10% of the
                       rows match; the rest (`--other-existing`, default rows ÷ 10) match no row on purpose
  truth.csv            per data row (1-based, header excluded): row, line (physical line the record starts
                       on), kind, detail, ref (the row a duplicate repeats / the existing person matched)
  manifest.json        the parameters, counts and what a correct import should find

Row kinds (shares of --rows):
  fresh      new people (≈ 83%); ~12% of all people are NRIs with UAE, UK, US or Singapore numbers
  duplicate  5%: the same person as an earlier row; phone re-formatted and/or e-mail upper-cased,
             sometimes the phone or the e-mail missing (never both), maybe another project
  broken     2%: ragged rows (cells missing or an unquoted comma making one more), an invalid phone
             ("12345") with no e-mail, an invalid e-mail ("abc@") with no phone, or a stray quote inside
             an unquoted cell (the row is otherwise valid). Never an unterminated quote
  matching   10%: an existing person, matched by phone (50%; any format, maybe in the WhatsApp column),
             by e-mail only (25%; a new phone), or fuzzy (25%; the name misspelt — pg_trgm similarity
             ≥ 0.6 — and a phone with the same last 7 digits but another prefix, same city, no e-mail)

Same --rows and --seed, same bytes. Memory stays bounded (duplicates come from a reservoir of earlier
people), so 1M rows need about 300 MB and ~40 s on one core.
"""
from __future__ import annotations

import argparse
import bisect
import csv
import hashlib
import io
import itertools
import json
import os
import re
import sys
import time
import unicodedata
import uuid

import random

TENANT = "bench"
HEADER = ["Client Name", "Mobile", "WhatsApp", "Email ID", "Company", "City", "Budget (Cr)", "Project Interested",
          "Config", "Source", "Remarks", "Enquiry Date"]
GENERATOR_VERSION = 3

# ----------------------------------------------------------------------------------------------- names
MALE = """Aarav Abhishek Aditya Ajay Akash Akshay Alok Amit Amitabh Anand Anil Anirudh Ankit Anoop Anuj Arjun Arun Arvind
Ashish Ashok Ashwin Atul Ayush Balaji Bharat Chetan Chirag Deepak Dev Dhruv Dinesh Gaurav Girish Gopal Hardik Harish
Harsh Hemant Imran Irfan Ishaan Jagdish Jatin Jayant Karan Karthik Kabir Kishore Krishna Kunal Lalit Madhav Mahesh
Manish Manoj Mayank Mihir Mohan Mohit Mukesh Nakul Naresh Naveen Neeraj Nikhil Nitin Omkar Pankaj Paresh Parth Pranav
Prakash Prashant Pratik Praveen Rahul Rajat Rajeev Rajesh Rakesh Ramesh Ravi Rohan Rohit Sachin Sahil Sameer Sandeep
Sanjay Santosh Saurabh Shankar Shashank Shivam Shreyas Siddharth Sourav Srinivas Subhash Sudhir Sumit Sunil Suresh
Tarun Tushar Uday Varun Vijay Vikas Vikram Vinay Vinod Vishal Vivek Yash Yogesh Zubair Faisal Farhan Salman Tanvir
Gurpreet Harpreet Jaswinder Manpreet Navjot Venkatesh Raghav Subramaniam Anirban Debashish Sandip Joseph Thomas Francis""".split()
FEMALE = """Aarti Aditi Aishwarya Akanksha Amrita Ananya Anjali Ankita Anita Anusha Aparna Archana Asha Bhavna Chitra Deepa
Deepika Divya Ekta Gauri Geeta Harini Isha Jaya Jyoti Kavita Kavya Komal Kriti Lakshmi Madhuri Mansi Meena Megha Meera
Neha Nandini Naina Neelam Nidhi Nikita Nisha Pallavi Pooja Poonam Prachi Pragya Preeti Priya Priyanka Radha Rashmi Reema
Rekha Renu Ritu Riya Ruchi Sakshi Sangeeta Sanjana Sapna Sarika Seema Shalini Shilpa Shraddha Shreya Shruti Simran Smita
Sneha Sonal Sonia Sunita Supriya Swati Tanvi Tanya Trisha Uma Usha Vandana Varsha Vidya Yamini Zoya Ayesha Fatima Nazia
Rukhsar Sana Harleen Jasleen Kiran Mandeep Padma Revathi Sowmya Lavanya Sudha Tanushree Moumita Paromita Maria Sheela""".split()
SURNAMES = """Sharma Verma Gupta Agarwal Aggarwal Bansal Goyal Mittal Singhal Jain Patel Shah Mehta Desai Modi Parikh Trivedi
Joshi Pandya Bhatt Iyer Iyengar Krishnan Subramanian Raman Reddy Rao Naidu Chowdary Nair Menon Pillai Kurup Panicker
Kumar Singh Yadav Chauhan Rathore Thakur Kaur Gill Sandhu Dhillon Sidhu Grewal Bajwa Banerjee Chatterjee Mukherjee
Bhattacharya Das Bose Ghosh Sen Dutta Roy Khan Shaikh Qureshi Siddiqui Ansari Syed Mirza D'Souza Fernandes Pereira
D'Mello Rodrigues Gomes Kulkarni Deshpande Deshmukh Patil Jadhav Pawar Shinde Gaikwad Bhosale Kale Kamat Naik Hegde
Shetty Pai Prabhu Malhotra Kapoor Khanna Chopra Arora Sethi Bhatia Ahuja Taneja Kohli Saxena Srivastava Tiwari Mishra
Pandey Dubey Tripathi Shukla Chaturvedi Awasthi Bhatnagar Mathur Kashyap Sinha Jha Thakkar Chandra Venkataraman
Ramachandran Gopalan Swaminathan Natarajan Balasubramanian Mahajan Sood Walia Oberoi Lalwani Advani Kripalani Motwani
Hinduja Rajan Varghese Kurian Mathew Abraham Chacko Dsouza Lobo Saldanha Vaz Karnik Gokhale Apte Ranade Dalal Kothari
Sanghvi Vora Doshi Merchant Contractor Engineer Wadia Mistry Irani Sabharwal Bedi Anand Puri Grover Chadha Talwar""".split()
HONORIFICS = ["Mr.", "Mr.", "Mr", "Mrs.", "Ms.", "Dr.", "Dr.", "Smt.", "Shri", "Capt.", "Prof."]
DIACRITIC = {"Zoya": "Zoyä", "Maria": "María", "Francis": "Françis", "Joseph": "Jośeph", "Abraham": "Abrahám",
             "Rodrigues": "Rodrígues", "Gomes": "Gómes", "Pereira": "Pereíra", "Fernandes": "Fernándes"}

# City of the person's CRM record, its weight, and how it may be written in the sheet.
CITIES = [
    ("Mumbai", 22, ["Mumbai", "Mumbai", "Mumbai", "mumbai", "MUMBAI", "Bombay", "Navi Mumbai"]),
    ("Pune", 10, ["Pune", "Pune", "pune", "Poona"]),
    ("Bengaluru", 12, ["Bengaluru", "Bangalore", "Bangalore", "bangalore", "Bengaluru "]),
    ("Hyderabad", 8, ["Hyderabad", "Hyderabad", "Secunderabad"]),
    ("Gurugram", 7, ["Gurugram", "Gurgaon", "Gurgaon", "GURGAON"]),
    ("Noida", 5, ["Noida", "Noida", "Greater Noida"]),
    ("Delhi", 8, ["Delhi", "New Delhi", "New Delhi", "delhi"]),
    ("Chennai", 6, ["Chennai", "Chennai", "Madras"]),
    ("Kolkata", 4, ["Kolkata", "Kolkata", "Calcutta"]),
    ("Ahmedabad", 4, ["Ahmedabad", "Ahmedabad", "Amdavad"]),
    ("Thane", 4, ["Thane", "Thane", "thane"]),
    ("Kochi", 2, ["Kochi", "Cochin"]),
    ("Goa", 2, ["Goa", "Panjim", "Goa"]),
    ("Jaipur", 2, ["Jaipur"]),
    ("Chandigarh", 2, ["Chandigarh"]),
    ("Lucknow", 2, ["Lucknow"]),
]
NRI_CITIES = {
    "AE": [("Dubai", 6, ["Dubai", "Dubai", "DUBAI", "Dubai, UAE"]), ("Abu Dhabi", 2, ["Abu Dhabi"]),
           ("Sharjah", 1, ["Sharjah"])],
    "GB": [("London", 5, ["London", "London", "London, UK"]), ("Leicester", 1, ["Leicester"]),
           ("Birmingham", 1, ["Birmingham"])],
    "US": [("New York", 2, ["New York", "NYC", "New Jersey"]), ("San Jose", 2, ["San Jose", "Bay Area"]),
           ("Houston", 1, ["Houston"]), ("Chicago", 1, ["Chicago"])],
    "SG": [("Singapore", 1, ["Singapore", "Singapore", "SG"])],
}
NRI_COUNTRY_WEIGHTS = [("AE", 45), ("GB", 20), ("US", 22), ("SG", 13)]
INDIAN_LEAD = (6, 7, 7, 8, 8, 8, 9, 9, 9, 9)  # first digit of Indian mobiles, roughly as allotted
US_AREAS = [212, 646, 917, 718, 201, 732, 973, 415, 408, 650, 510, 469, 713, 312, 630, 248, 571, 703, 404, 206]

COMPANIES = ["Infosys", "TCS", "Wipro", "HCL Technologies", "Tech Mahindra", "Accenture", "Cognizant", "Capgemini",
             "HDFC Bank", "ICICI Bank", "Axis Bank", "Kotak Mahindra Bank", "State Bank of India", "Reliance Industries Ltd.",
             "Larsen & Toubro", "Tata Motors", "Mahindra & Mahindra", "Bajaj Finserv", "Asian Paints", "Sun Pharma",
             "Dr. Reddy's Laboratories", "Cipla", "Zomato", "Swiggy", "Flipkart", "Amazon", "Google", "Microsoft",
             "Deloitte", "EY", "KPMG", "PwC", "McKinsey & Company", "Goldman Sachs", "JP Morgan", "Morgan Stanley",
             "Emirates NBD", "Emirates Airline", "ADNOC", "Mashreq Bank", "Barclays", "HSBC", "Standard Chartered",
             "DBS Bank", "Self-employed", "Self Employed", "Business", "Own business", "Doctor (own clinic)",
             "Shah & Associates, CA", "Mehta Textiles", "Patel Diamonds", "Kothari Exports", "Retired", "NA", "-"]
PROJECTS = ["Skyline Residences", "Palm Grove Villas", "Sea Breeze Towers", "Green Acres Phase 2", "The Crest",
            "Lakeview Enclave", "Orchid Heights", "Riverside Greens", "Marina Bay Homes", "Silver Oak Estate",
            "Emerald Isle", "Sapphire Park", "Royal Palms", "Horizon One", "Cedar Court", "Lotus Boulevard",
            "Sunrise Meadows", "Bayview Crest", "Indigo Terraces", "Ivory Towers", "Banyan Tree Villas",
            "Aurum Residency", "Coral Reef Apartments", "Monsoon Hills", "Saffron City Phase 1"]
CONFIGS = ["1 BHK", "2 BHK", "2BHK", "2 bhk", "2.5 BHK", "3 BHK", "3BHK", "3 bhk", "3.5 BHK", "4 BHK", "4BHK",
           "4 bhk villa", "5 BHK Villa", "Penthouse", "Duplex", "Plot", "Row house", "2 BHK + Study", "Studio", "Jodi flat"]
SOURCES = ["99acres", "MagicBricks", "Housing.com", "NoBroker", "Walk-in", "Walk in", "Referral", "Reference",
           "Facebook Ads", "FB Lead", "Instagram", "Google Ads", "Website", "Channel Partner", "CP",
           "NRI Expo Dubai", "NRI Expo London", "Newspaper", "Hoarding", "Cold call", "Existing client"]
REMARKS = ["", "", "", "", "Call back", "Interested, wants site visit", "Site visit done", "Not picking up",
           "Budget issue", "Looking for ready possession", "Wants sea view, high floor",
           "Will visit on Sunday", "Follow up after Diwali", "Loan pre-approved", "NRI, visiting in Dec",
           "Prefers WhatsApp", "Spoke to wife, she wants 3 BHK", "Wants Vastu compliant, east facing",
           "Comparing with other projects, price sensitive", "Hot lead", "Cold", "Busy, call later",
           "Investor, wants rental yield > 4%", "Asked for brochure & price sheet", "Said \"will decide next week\"",
           "Wrong number?", "Needs parking for 2 cars", "Interested in 2 units, one for parents",
           "Visited twice; negotiating on floor rise", "Token amount discussed: 5 L"]
MULTILINE_REMARKS = ["Site visit done.\nWants revised quote", "Call after 6pm\nWhatsApp preferred",
                     "Visited with family,\nliked the clubhouse\nasked for floor plans",
                     "NRI - in Dubai till March\nwill visit in April"]


def _cumulative(weights):
    return list(itertools.accumulate(weights))


def _zipf(n: int, s: float) -> list[float]:
    return [1.0 / (i + 1) ** s for i in range(n)]


# --------------------------------------------------------------------------------------- normalization
def name_key(name: str) -> str:
    """velocity's match key (PersonNameNormalizer.matchKey): no diacritics, lower case, apostrophes,
    dots and backticks dropped ("D'Souza" → "dsouza", "K. Rahul" → "k rahul"), any other run of
    non-alphanumerics one space. The peer uses the same rule."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"['’.`]", "", text)
    return " ".join(re.sub(r"[^\w]|_", " ", text).split())


def trigrams(text: str) -> set[str]:
    """pg_trgm's trigrams: words of alphanumerics, each padded with two spaces before and one after."""
    out: set[str] = set()
    for word in re.findall(r"[0-9a-z]+", text.lower()):
        padded = f"  {word} "
        out.update(padded[i:i + 3] for i in range(len(padded) - 2))
    return out


def similarity(a: str, b: str) -> float:
    ta, tb = trigrams(a), trigrams(b)
    return len(ta & tb) / len(ta | tb) if ta or tb else 0.0


# --------------------------------------------------------------------------------------------- phones
class Phones:
    """Unique phone numbers (E.164) and their sheet spellings."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()
        self.suffix_used: set[str] = set()  # last 7 digits: no two people share them by chance

    def _fresh(self, make) -> str:
        while True:
            e164 = make()
            if e164 not in self.used and e164[-7:] not in self.suffix_used:
                self.used.add(e164)
                self.suffix_used.add(e164[-7:])
                return e164

    def indian(self) -> str:
        r = self.rng
        return self._fresh(lambda: f"+91{r.choice(INDIAN_LEAD)}{r.randrange(10 ** 9):09d}")

    def foreign(self, country: str) -> str:
        r = self.rng
        if country == "AE":
            return self._fresh(lambda: f"+971{r.choice((50, 52, 54, 55, 56, 58))}{r.randrange(10 ** 7):07d}")
        if country == "GB":
            return self._fresh(lambda: f"+447{r.choice((1, 2, 3, 4, 5, 8))}{r.randrange(10 ** 8):08d}")
        if country == "US":
            return self._fresh(lambda: f"+1{r.choice(US_AREAS)}{r.randint(2, 9)}{r.randrange(100):02d}"
                                       f"{r.randrange(10 ** 4):04d}")
        return self._fresh(lambda: f"+65{r.randint(81, 98)}{r.randrange(10 ** 6):06d}")

    def same_suffix(self, e164: str) -> str:
        """An Indian number with the same last 7 digits and another prefix (a typo in the first digits)."""
        r = self.rng
        assert e164.startswith("+91")
        while True:
            candidate = f"+91{r.choice(INDIAN_LEAD)}{r.randrange(100):02d}{e164[-7:]}"
            if candidate != e164 and candidate not in self.used:
                self.used.add(candidate)
                return candidate

    def spell(self, e164: str) -> str:
        """How a broker types the number."""
        r = self.rng
        if e164.startswith("+91"):
            n = e164[3:]
            return r.choice((f"{n[:5]} {n[5:]}", f"+91-{n[:5]}-{n[5:]}", f"0{n[:5]} {n[5:]}", n, n, n,
                             f"+91 {n[:5]} {n[5:]}", f"+91{n}", f"+91 {n}"))
        plus = r.random() < 0.6
        lead = "+" if plus else "00"
        if e164.startswith("+971"):
            n = e164[4:]
            return r.choice((f"{lead}971 {n[:2]} {n[2:5]} {n[5:]}", f"{lead}971-{n[:2]}-{n[2:]}", f"{lead}971{n}"))
        if e164.startswith("+44"):
            n = e164[3:]
            return r.choice((f"{lead}44 {n[:4]} {n[4:]}", f"{lead}44{n}", f"{lead}44-{n[:4]}-{n[4:]}"))
        if e164.startswith("+1"):
            n = e164[2:]
            return r.choice((f"{lead}1 ({n[:3]}) {n[3:6]}-{n[6:]}", f"{lead}1-{n[:3]}-{n[3:6]}-{n[6:]}",
                             f"{lead}1 {n[:3]} {n[3:6]} {n[6:]}"))
        n = e164[3:]
        return r.choice((f"{lead}65 {n[:4]} {n[4:]}", f"{lead}65{n}", f"{lead}65-{n[:4]}-{n[4:]}"))


# --------------------------------------------------------------------------------------------- people
class Person:
    __slots__ = ("first", "middle", "last", "phone", "phone2", "email", "city", "city_spellings", "company",
                 "country", "existing_id", "alias")

    def full_name(self) -> str:
        return " ".join(p for p in (self.first, self.middle, self.last) if p)

    def written(self, **changes) -> "Person":
        """A copy with what a row actually said (for a later duplicate of that row)."""
        copy = Person()
        for name in Person.__slots__:
            setattr(copy, name, changes.get(name, getattr(self, name)))
        return copy


class World:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.phones = Phones(self.rng)
        self.emails: set[str] = set()
        # Popularity is Zipf-like, in an order unrelated to the alphabet (a fixed shuffle, the same for
        # every seed): the common names spread over many (city, first three letters) blocks.
        order = random.Random(20240601)
        self.male, self.female, self.surnames = (order.sample(names, len(names)) for names in (MALE, FEMALE, SURNAMES))
        male_w, female_w, last_w = _zipf(len(MALE), 0.75), _zipf(len(FEMALE), 0.75), _zipf(len(SURNAMES), 0.7)
        self.male_cum, self.female_cum, self.last_cum = _cumulative(male_w), _cumulative(female_w), _cumulative(last_w)
        self.city_cum = _cumulative([w for _, w, _ in CITIES])
        self.nri_cum = _cumulative([w for _, w in NRI_COUNTRY_WEIGHTS])
        self.nri_city_cum = {c: _cumulative([w for _, w, _ in cities]) for c, cities in NRI_CITIES.items()}

    def _pick(self, items, cum):
        return items[bisect.bisect_right(cum, self.rng.random() * cum[-1])]

    def person(self, nri_share: float = 0.12) -> Person:
        r = self.rng
        p = Person()
        male = r.random() < 0.58
        p.first = self._pick(self.male if male else self.female, self.male_cum if male else self.female_cum)
        p.last = self._pick(self.surnames, self.last_cum)
        p.middle = ""
        roll = r.random()
        if roll < 0.12:  # a middle name (often the father's, or "Kumar")
            p.middle = r.choice(("Kumar", "Kumari", "Prasad", "Lal", "Chand", "Devi")) if r.random() < 0.5 else \
                self._pick(self.male, self.male_cum)
        elif roll < 0.16:  # South Indian initial style: "K. Srinivas"
            p.first, p.middle = f"{p.last[0]}.", p.first
            p.last = ""
        if r.random() < 0.004:
            p.first = DIACRITIC.get(p.first, p.first)
            p.last = DIACRITIC.get(p.last, p.last)
        if r.random() < nri_share:
            p.country = self._pick([c for c, _ in NRI_COUNTRY_WEIGHTS], self.nri_cum)
            city, _, spellings = self._pick(NRI_CITIES[p.country], self.nri_city_cum[p.country])
            p.phone = self.phones.foreign(p.country)
            # Most NRIs also keep an Indian number, often the WhatsApp one.
            p.phone2 = self.phones.indian() if r.random() < 0.45 else ""
        else:
            p.country = "IN"
            city, _, spellings = self._pick(CITIES, self.city_cum)
            p.phone = self.phones.indian()
            p.phone2 = self.phones.indian() if r.random() < 0.12 else ""
        p.city, p.city_spellings = city, spellings
        p.email = self.email(p) if r.random() < 0.8 else ""
        p.company = r.choice(COMPANIES) if r.random() < 0.7 else ""
        p.existing_id = ""
        p.alias = ""
        return p

    def email(self, p: Person) -> str:
        r = self.rng
        first = name_key(p.middle if p.first.endswith(".") else p.first).replace(" ", "")
        last = name_key(p.last or p.first).replace(".", "").replace("'", "").replace(" ", "")
        first = unicodedata.normalize("NFKD", first).encode("ascii", "ignore").decode()
        last = unicodedata.normalize("NFKD", last).encode("ascii", "ignore").decode()
        domain = r.choice(("gmail.com", "gmail.com", "gmail.com", "yahoo.com", "yahoo.co.in", "hotmail.com",
                           "outlook.com", "rediffmail.com", "icloud.com", "protonmail.com"))
        base = r.choice((f"{first}.{last}", f"{first}{last}", f"{first}_{last}", f"{first[0]}{last}",
                         f"{first}{last[:1]}", f"{first}.{last[:1]}"))
        while True:
            local = base + (str(r.randrange(1, 10 ** r.randint(1, 4))) if r.random() < 0.85 else "")
            email = f"{local}@{domain}"
            if email not in self.emails:
                self.emails.add(email)
                return email

    # ---- the sheet's spelling of one person
    def row(self, p: Person, *, name: str | None = None, phone: str | None = None, whatsapp: str | None = None,
            email: str | None = None) -> list[str]:
        r = self.rng
        full = name if name is not None else (p.alias or p.full_name())
        roll = r.random()
        if roll < 0.15:
            full = f"{r.choice(HONORIFICS)} {full}"
        if roll > 0.95:
            full = full.upper()
        elif roll > 0.93:
            full = full.lower()
        elif roll > 0.90:
            full = full.replace(" ", "  ", 1) + " "
        mobile_e164 = p.phone if phone is None else phone
        mobile = self.phones.spell(mobile_e164) if mobile_e164 else ""
        if whatsapp is None:
            w = r.random()
            if p.phone2 and w < 0.7:
                whatsapp = self.phones.spell(p.phone2)
            elif w < 0.55:
                whatsapp = self.phones.spell(mobile_e164) if mobile_e164 else ""
            else:
                whatsapp = ""
        mail = p.email if email is None else email
        if mail:
            e = r.random()
            if e < 0.04:
                mail = mail.upper()
            elif e < 0.07:
                mail = mail[0].upper() + mail[1:]
            elif e < 0.09:
                mail = f" {mail} "
        budget = self.budget()
        remarks = r.choice(MULTILINE_REMARKS) if r.random() < 0.004 else r.choice(REMARKS)
        date = f"{r.randint(1, 28):02d}/{r.randint(1, 12):02d}/{r.randint(2022, 2025)}"
        return [full, mobile, whatsapp, mail, p.company, r.choice(p.city_spellings), budget, r.choice(PROJECTS),
                r.choice(CONFIGS), r.choice(SOURCES), remarks, date]

    def budget(self) -> str:
        r = self.rng
        roll = r.random()
        if roll < 0.08:
            return ""
        if roll < 0.18:
            return f"{r.choice((45, 60, 75, 80, 85, 90, 95))} L"
        if roll < 0.26:
            low = r.choice((0.8, 1, 1.2, 1.5, 2, 2.5, 3, 4, 5))
            return f"{low:g}-{low + r.choice((0.25, 0.5, 1)):g}"
        if roll < 0.30:
            return f"{r.choice((1, 2, 3, 5, 8, 10, 12))} Cr"
        return f"{r.choice((0.65, 0.75, 0.85, 0.95, 1.1, 1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4.25, 6, 7.5)):g}"


def misspell(rng: random.Random, full: str) -> str | None:
    """One plausible typo in the name; None when no typo keeps pg_trgm similarity ≥ 0.6 (margin 0.62)."""
    words = full.split(" ")
    for _ in range(12):
        i = rng.randrange(len(words))
        w = words[i]
        if len(w) < 4 or w.endswith("."):
            continue
        j = rng.randrange(1, len(w) - 1)
        kind = rng.random()
        if kind < 0.3:
            nw = w[:j] + w[j + 1:]  # a letter dropped
        elif kind < 0.55:
            nw = w[:j] + w[j] + w[j:]  # a letter doubled
        elif kind < 0.8:
            nw = w[:j - 1] + w[j] + w[j - 1] + w[j + 1:]  # two letters swapped
        else:
            swaps = {"a": "e", "e": "i", "i": "ee", "o": "u", "u": "oo", "v": "w", "w": "v", "sh": "s", "ksh": "x"}
            key = next((k for k in swaps if k in w[1:]), None)
            if key is None:
                continue
            nw = w[0] + w[1:].replace(key, swaps[key], 1)
        candidate = " ".join(words[:i] + [nw] + words[i + 1:])
        if candidate != full and similarity(name_key(candidate), name_key(full)) >= 0.62:
            return candidate
    return None


# --------------------------------------------------------------------------------------------- writing
def quote(cell: str) -> str:
    if any(c in cell for c in ',"\r\n'):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def generate(rows: int, seed: int, out: str, other_existing: int | None = None, bom: bool = True) -> dict:
    started = time.time()
    world = World(seed)
    r = world.rng
    os.makedirs(out, exist_ok=True)
    n_dup, n_broken, n_match = round(rows * 0.05), round(rows * 0.02), round(rows * 0.10)
    other_existing = rows // 10 if other_existing is None else other_existing

    # Which rows are what: shuffled plan, except that a duplicate needs an earlier row (the first
    # 1% of rows are never duplicates) — reshuffled deterministically.
    plan = ["dup"] * n_dup + ["broken"] * n_broken + ["match"] * n_match
    plan += ["fresh"] * (rows - len(plan))
    r.shuffle(plan)
    head = max(1, rows // 100)
    for i in range(head):
        if plan[i] == "dup":
            j = r.randrange(head, rows)
            while plan[j] == "dup":
                j = r.randrange(head, rows)
            plan[i], plan[j] = plan[j], plan[i]

    # Existing people: the ones 10% of the rows match, then the others.
    match_kinds = ["phone"] * (n_match // 2) + ["email"] * (n_match // 4)
    match_kinds += ["fuzzy"] * (n_match - len(match_kinds))
    r.shuffle(match_kinds)
    existing_path = os.path.join(out, "existing_people.csv")
    matched_people: list[Person] = []
    with open(existing_path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "tenant_id", "full_name", "name_key", "primary_phone", "primary_email", "city"])
        for i in range(n_match + other_existing):
            kind = match_kinds[i] if i < n_match else "other"
            while True:
                p = world.person()
                if kind == "email" and not p.email:
                    p.email = world.email(p)
                if kind == "fuzzy":
                    p.alias = misspell(r, p.full_name()) if p.phone.startswith("+91") else None
                    if p.alias is None:
                        continue
                break
            if kind == "fuzzy":
                p.email = ""  # matched by name + phone suffix only; nothing exact to find
            p.existing_id = str(uuid.UUID(int=r.getrandbits(128), version=4))
            w.writerow([p.existing_id, TENANT, p.full_name(), name_key(p.full_name()), p.phone, p.email, p.city])
            if i < n_match:
                matched_people.append(p)

    truth_path = os.path.join(out, "truth.csv")
    csv_path = os.path.join(out, "leads.csv")
    pool: list[tuple[int, Person]] = []  # reservoir of earlier valid rows, for duplicates
    pool_cap, seen_valid = 200_000, 0
    counts: dict[str, int] = {}
    line = 2
    next_match = 0
    rows_with_newlines = 0
    sink = io.StringIO()
    writer = csv.writer(sink, lineterminator="\r\n")
    with open(csv_path, "w", newline="", encoding="utf-8-sig" if bom else "utf-8") as f, \
            open(truth_path, "w", newline="", encoding="utf-8") as tf:
        tw = csv.writer(tf, lineterminator="\n")
        tw.writerow(["row", "line", "kind", "detail", "ref"])
        f.write(",".join(HEADER) + "\r\n")
        for index, kind in enumerate(plan):
            row_number = index + 1
            detail, ref, raw = "", "", None
            person: Person | None = None
            if kind == "dup":
                src_row, src = pool[r.randrange(len(pool))]
                person, ref = src, str(src_row)
                roll = r.random()
                if roll < 0.45 or not src.email:
                    detail = "phone_reformatted"
                    cells = world.row(src, email=src.email.upper() if src.email and r.random() < 0.5 else None)
                elif roll < 0.75:
                    detail = "email_only"  # the phone left out, the e-mail upper-cased
                    cells = world.row(src, phone="", whatsapp="", email=src.email.upper())
                else:
                    detail = "phone_no_email"
                    cells = world.row(src, email="")
            elif kind == "match":
                existing = matched_people[next_match]
                how = match_kinds[next_match]
                next_match += 1
                ref, detail = existing.existing_id, how
                if how == "phone":
                    if r.random() < 0.2:  # the existing number only in the WhatsApp column
                        detail = "phone_whatsapp"
                        person = existing.written(phone=world.phones.indian(), phone2=existing.phone, alias="")
                        cells = world.row(person, whatsapp=world.phones.spell(existing.phone))
                    else:
                        person = existing.written(email=existing.email if r.random() < 0.5 else "", alias="")
                        cells = world.row(person)
                elif how == "email":
                    person = existing.written(phone=world.phones.indian(), phone2="", alias="")
                    cells = world.row(person, whatsapp="")
                else:
                    person = existing.written(phone=world.phones.same_suffix(existing.phone), phone2="",
                                              city_spellings=[existing.city])
                    cells = world.row(person, whatsapp="", email="")
                    cells[0] = existing.alias  # the typo as typed: no honorific, no shouting
            elif kind == "broken":
                person = world.person()
                cells = world.row(person)
                roll = r.random()
                if roll < 0.25:
                    detail = "ragged_missing"
                    cells = cells[:r.randint(6, 10)]
                elif roll < 0.40:
                    detail = "ragged_extra"  # an unquoted comma in the remarks
                    cells = cells[:10] + ["Call back", " after Diwali"] + cells[11:]
                elif roll < 0.60:
                    detail = "invalid_phone"
                    cells[1], cells[2], cells[3] = r.choice(("12345", "98765", "+91 12345", "00000 00000", "N/A")), "", ""
                elif roll < 0.80:
                    detail = "invalid_email"
                    cells[1], cells[2] = "", ""
                    cells[3] = r.choice(("abc@", "rahul.gmail.com", "test@@gmail.com", "priya@gmail", "@yahoo.com"))
                else:
                    detail = "stray_quote"  # a quote inside an unquoted cell; the row is otherwise fine
                    cells[4] = r.choice(('Shah "Builders', 'Sai "Krupa Enterprises', 'Patel 5" Tiles'))
                    cells[10] = r.choice(('said "call later', 'wants 12" vitrified tiles', 'ok "final'))
                    raw = ",".join(c if i in (4, 10) else quote(c) for i, c in enumerate(cells)) + "\r\n"
            else:
                person = world.person()
                cells = world.row(person)
            counts[f"{kind}:{detail}" if detail else kind] = counts.get(f"{kind}:{detail}" if detail else kind, 0) + 1
            if raw is None:
                writer.writerow(cells)
                raw = sink.getvalue()
                sink.seek(0)
                sink.truncate()
            f.write(raw)
            tw.writerow([row_number, line, kind, detail, ref])
            newlines = raw.count("\n")
            rows_with_newlines += newlines > 1
            line += newlines
            if kind in ("fresh", "match") or detail == "stray_quote":
                seen_valid += 1
                if len(pool) < pool_cap:
                    pool.append((row_number, person))
                else:
                    k = r.randrange(seen_valid)
                    if k < pool_cap:
                        pool[k] = (row_number, person)
            if row_number % 200_000 == 0:
                print(f"[gen] {row_number:,} rows", file=sys.stderr, flush=True)

    broken_errors = sum(v for k, v in counts.items() if k.startswith("broken:") and k != "broken:stray_quote")
    proposals = rows - n_dup - broken_errors
    manifest = {
        "generator_version": GENERATOR_VERSION, "rows": rows, "seed": seed, "bom": bom,
        "bytes": os.path.getsize(csv_path), "physical_lines": line - 1,
        "rows_with_quoted_newlines": rows_with_newlines,
        "existing_people": n_match + other_existing, "existing_matching": n_match, "existing_other": other_existing,
        "counts": dict(sorted(counts.items())),
        "expected": {
            "rows_read": rows,
            "rows_with_errors": broken_errors,
            "stray_quote_rows": counts.get("broken:stray_quote", 0),
            "person_proposals": proposals,
            "duplicate_rows_folded": n_dup,
            "proposals_matching_existing": n_match,
        },
        "generate_s": round(time.time() - started, 2),
    }
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
    return manifest


# --------------------------------------------------------------------------------------------- verify
def verify(out: str) -> dict:
    """Reads the files back independently (csv module, phonenumbers when installed) and checks the
    shares: every duplicate shares a normalized phone or e-mail with the row it repeats, every
    matching row matches its person the intended way, broken rows are broken the intended way."""
    try:
        import phonenumbers
    except ImportError:  # pragma: no cover
        phonenumbers = None

    def e164(text: str) -> str | None:
        digits = re.sub(r"[^\d+]", "", text)
        if not digits:
            return None
        if phonenumbers is None:
            return digits
        try:
            number = phonenumbers.parse(text, "IN")
        except phonenumbers.NumberParseException:
            return None
        if not phonenumbers.is_valid_number(number):
            return None
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    existing = {}
    with open(os.path.join(out, "existing_people.csv"), newline="", encoding="utf-8") as f:
        for rec in csv.DictReader(f):
            existing[rec["id"]] = rec
    truth = []
    with open(os.path.join(out, "truth.csv"), newline="", encoding="utf-8") as f:
        truth = list(csv.DictReader(f))
    problems: list[str] = []
    keys: dict[int, tuple[set, str]] = {}
    checked: dict[str, int] = {}
    phone_owner: dict[str, int] = {}
    invalid_valid_phones = 0
    with open(os.path.join(out, "leads.csv"), newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = next(reader)
        start_line = reader.line_num + 1
        if header != HEADER:
            problems.append(f"header {header}")
        for t, cells in zip(truth, reader):
            kind, detail = t["kind"], t["detail"]
            rn = int(t["row"])
            if start_line != int(t["line"]):
                problems.append(f"row {rn}: starts on line {start_line}, truth says {t['line']}")
            start_line = reader.line_num + 1
            ragged = len(cells) != len(HEADER)
            if ragged != detail.startswith("ragged"):
                problems.append(f"row {rn} ({kind}:{detail}) has {len(cells)} cells")
                continue
            if ragged:
                checked["ragged"] = checked.get("ragged", 0) + 1
                continue
            phones = {p for p in (e164(cells[1]), e164(cells[2])) if p}
            email = cells[3].strip().lower()
            if detail == "invalid_phone":
                if phones or email:
                    problems.append(f"row {rn}: invalid_phone row has an identity")
            elif detail == "invalid_email":
                if phones or re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
                    problems.append(f"row {rn}: invalid_email row has a valid identity")
            elif not phones and not email:
                problems.append(f"row {rn} ({kind}:{detail}): no phone nor e-mail")
            if (cells[1].strip() and e164(cells[1]) is None) and kind != "broken":
                invalid_valid_phones += 1
            if kind == "dup":
                src_phones, src_email = keys[int(t["ref"])]
                if not (phones & src_phones or (email and email == src_email)):
                    problems.append(f"row {rn}: duplicate shares nothing with row {t['ref']}")
            elif kind == "match":
                person = existing[t["ref"]]
                if detail.startswith("phone") and person["primary_phone"] not in phones:
                    problems.append(f"row {rn}: phone match without the phone")
                if detail == "email" and (email != person["primary_email"] or person["primary_phone"] in phones):
                    problems.append(f"row {rn}: e-mail match is not e-mail only")
                if detail == "fuzzy":
                    sim = similarity(name_key(cells[0]), person["name_key"])
                    mobile = e164(cells[1])
                    if email or mobile == person["primary_phone"] or mobile is None or \
                            mobile[-7:] != person["primary_phone"][-7:] or sim < 0.6:
                        problems.append(f"row {rn}: fuzzy match {cells[0]!r} ~ {person['full_name']!r} sim {sim:.2f}")
            else:
                for p in phones:  # fresh people never share a phone by chance
                    owner = phone_owner.setdefault(p, rn)
                    if owner != rn and kind == "fresh":
                        problems.append(f"row {rn}: phone {p} also in row {owner}")
            keys[rn] = (phones, email)
            checked[f"{kind}:{detail}" if detail else kind] = checked.get(f"{kind}:{detail}" if detail else kind, 0) + 1
        if next(reader, None) is not None:
            problems.append("more records than truth.csv")
    if len(keys) + checked.get("ragged", 0) != len(truth):
        problems.append(f"read {len(keys) + checked.get('ragged', 0)} records, truth has {len(truth)}")
    if invalid_valid_phones:
        problems.append(f"{invalid_valid_phones} phones of valid rows do not parse")
    existing_phones = {p["primary_phone"] for p in existing.values()}
    if len(existing_phones) != len(existing):
        problems.append("existing people share phones")
    return {"records": len(truth), "checked": dict(sorted(checked.items())), "problems": problems[:20],
            "problem_count": len(problems)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", required=True)
    parser.add_argument("--other-existing", type=int, default=None,
                        help="existing people that match no row (default rows ÷ 10)")
    parser.add_argument("--no-bom", action="store_true")
    parser.add_argument("--verify", action="store_true", help="read the files back and check them")
    parser.add_argument("--verify-only", action="store_true")
    args = parser.parse_args()
    if not args.verify_only:
        manifest = generate(args.rows, args.seed, args.out, args.other_existing, bom=not args.no_bom)
        print(json.dumps(manifest, indent=2), file=sys.stderr)
    if args.verify or args.verify_only:
        started = time.time()
        report = verify(args.out)
        report["verify_s"] = round(time.time() - started, 1)
        print(json.dumps(report, indent=2), file=sys.stderr)
        if report["problem_count"]:
            sys.exit(1)
    print(json.dumps({"out": args.out, "sha256": _sha256(os.path.join(args.out, "leads.csv"))}))


def _sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


if __name__ == "__main__":
    main()
