"""A deterministic mixed news stream for the benchmarks: ~10% war and talks, the rest other news.

    python bench/corpus.py N OUT.jsonl [--seed S] [--war-share 0.1]

Writes N articles as JSONL ({"title","outlet","author","published","url","text"}, one a line), the
format `backchannel ingest` reads.  Why it is built this way:

* War-and-talks articles are recombined from the project's own texts (``samples/`` and
  ``eval/gold/*/article.json``): a base article plus paragraphs from others, with weekdays, months
  and numbers varied, so the extractor meets the sentences it was written for, at realistic density.
* Other news (sport, economy, weather, culture, tech, local politics, labour) comes from short
  templates filled from word lists (a long article reuses its template's paragraphs with new values).
  It is full of quotes and of words like "talks", "deal" and "agreed", because real other news is:
  the benchmark must pay for the near misses too.
* Article ``i`` depends only on (seed, i), so the first 1,000 articles of a 10,000 corpus are the
  1,000 corpus: runs at different sizes measure the same stream.  Every text is distinct (a repeat
  would be skipped by ingest as a duplicate and flatter the figures).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from backchannel.read import read_path  # noqa: E402

# Project texts that are not about a war or talks to end one: they would skew the war share.
NOT_WAR = ("boeing-machinists", "footballer-contract-talks", "us-china-trade-truce")

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
FIRST = ("Ana", "Ben", "Carla", "David", "Elif", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Keiko", "Luis",
         "Maya", "Nikos", "Olga", "Pavel", "Rosa", "Samir", "Tara", "Viktor", "Wen", "Yusuf", "Zoe", "Priya",
         "Tomas", "Amara", "Felix", "Lena", "Omar", "Sofia")
LAST = ("Adler", "Banerjee", "Costa", "Dumont", "Eriksen", "Fischer", "Garcia", "Haddad", "Ito", "Jensen",
        "Kowalski", "Lindqvist", "Moreau", "Novak", "Okafor", "Petrov", "Quinn", "Rossi", "Santos", "Tanaka",
        "Ueda", "Varga", "Walsh", "Xu", "Yilmaz", "Zimmer", "Brennan", "Mendes", "Holm", "Achebe")
CITIES = ("Lyon", "Porto", "Leeds", "Graz", "Tampere", "Bologna", "Gdansk", "Utrecht", "Aarhus", "Cork",
          "Bilbao", "Brno", "Malmo", "Nantes", "Bergen", "Ghent", "Turin", "Cluj", "Seville", "Dresden")
OUTLETS = ("The Morning Ledger", "Riverside Courier", "Daily Meridian", "Northern Gazette", "The Civic Post",
           "Harbour Times", "Metro Dispatch", "The Evening Standard-Bearer", "Valley Chronicle", "Wire Desk")
TEAMS = ("Rovers", "United", "Athletic", "Wanderers", "City", "Albion", "Rangers", "Dynamo", "Olympic",
         "Sporting")
COMPANIES = ("Norvik Foods", "Brightline Energy", "Castell Motors", "Helio Systems", "Marlow Retail",
             "Quanta Logistics", "Severn Pharma", "Tidewater Steel", "Orbis Telecom", "Kestrel Airlines")
PRODUCTS = ("a folding phone", "a home battery", "a translation app", "an electric scooter", "a smart meter",
            "a chip for cameras", "a cloud service for hospitals", "a budget laptop")
PLACES = ("the old tram depot", "the riverside park", "the central library", "the northern ring road",
          "the harbour quarter", "the main station", "the covered market", "the sports hall")
ARTWORKS = ("a retrospective of early photographs", "a new production of a forgotten opera",
            "a festival of short films", "an exhibition of textile art", "a season of chamber music",
            "a novel about three generations of fishermen")
SAY = ("said", "told reporters", "said in a statement", "told this newspaper", "added", "wrote online")


@dataclass(frozen=True)
class Template:
    section: str
    titles: tuple[str, ...]
    roles: tuple[str, ...]  # who comments on the story ({role})
    leads: tuple[str, ...]
    body: tuple[str, ...]


# Slots: {city} {person} {person2} {team} {team2} {company} {product} {place} {art} {role} are fixed for
# an article; {n} {big} {pct} {money} {day} {month} {say} {year} are drawn afresh at each use.
TEMPLATES: tuple[Template, ...] = (
    Template(
        "sport",
        ("{city} {team} beat {team2} to stay top", "Late goal gives {team} a win over {team2}"),
        ("a former captain of the club", "the club's sporting director", "a commentator on local radio"),
        (
        "{city} {team} beat {team2} {n}-{n} on {day} night, a result that keeps them top of the table with "
        "{n} games left and leaves their coach, {person}, talking about a title nobody predicted in {month}.",
    ), (
        "The winner came in the {n}th minute, when a low cross was turned in at the near post. Before that "
        "the visitors had the better chances, hitting the woodwork twice and forcing {n} saves from the "
        "goalkeeper. \"We suffered, and we stayed calm,\" {person} {say}. \"That is what a team at the top "
        "does.\"",
        "A crowd of {big} watched in light rain. Ticket prices have been a sore point this season, and "
        "supporters' groups unfurled a banner at the start asking the board to freeze them for another year.",
        "{person2}, who scored twice in the previous round, was left on the bench with a minor knee "
        "problem. The club said scans showed no serious damage and that he should be fit within {n} days.",
        "The visitors' manager refused to blame the referee, though he pointed out that a penalty appeal in "
        "the first half had been waved away. \"Football is like that. Some days the ball does not go in,\" "
        "he {say}.",
        "The club is in contract talks with its captain, whose deal runs out in {month}. Both sides say "
        "they want an agreement, and the player's agent said on {day} that a new offer was being studied.",
        "Next up is an away game against a side fighting relegation, then a cup quarter-final that the "
        "coach said would not be treated as a distraction. \"Every game is a final now,\" {person} {say}.",
    )),
    Template(
        "sport",
        ("{person} reaches final in {city}", "{person} wins marathon in record time"),
        ("the tournament director", "a former champion", "a coach at the national academy"),
        (
        "{person} reached the final of the {city} Open on {day}, winning in three sets against a "
        "higher-ranked opponent in a match that lasted more than four hours under a closed roof.",
    ), (
        "It is the {n}th final of a career that stalled two years ago with a shoulder injury. \"I did not "
        "know if I would play again at this level,\" {person} {say}. \"Today I enjoyed every point.\"",
        "The opponent, {person2}, had won their previous {n} meetings, and led by a break in the decisive "
        "set before a run of unforced errors. She said afterwards that the heat inside the hall had been "
        "hard to manage.",
        "Organisers said {big} tickets had been sold for the week, a record for the tournament, and that "
        "the prize money had risen by {pct} percent after a new sponsorship deal with {company}.",
        "The final is scheduled for {day} afternoon. Bookmakers make the defending champion the favourite, "
        "but {role} said the form of the last two weeks counted for more than rankings.",
        "Away from the court, players have complained about the calendar. A players' council is in talks "
        "with the tour about fewer mandatory events, and {person} said a decision was overdue.",
    )),
    Template(
        "economy",
        ("Central bank holds rates at {pct}%", "Rate-setters split as inflation eases to {pct}%"),
        ("an economist at a local university", "an analyst at a research firm", "a former deputy governor"),
        (
        "The central bank kept its main interest rate at {pct} percent on {day}, saying inflation was "
        "falling more slowly than it had hoped and that it needed more evidence before cutting borrowing "
        "costs.",
    ), (
        "Of the {n} members of the rate-setting committee, two voted for a cut of a quarter point. The "
        "minutes showed that they worried about weak hiring in construction and retail, where vacancies "
        "fell by {pct} percent over the quarter.",
        "Consumer prices rose {pct} percent in the year to {month}, down from {pct} percent a month "
        "earlier. Food prices were the main reason for the fall; services inflation, driven by wages, "
        "barely moved.",
        "\"The direction is right but the pace is not yet convincing,\" the governor, {person}, {say}. "
        "Markets had priced in a cut by {month}, and the currency rose {pct} percent against the dollar "
        "after the decision.",
        "{role} said the bank was right to wait. \"Cut too early and you spend next year fighting the same "
        "battle again,\" {person2} {say}, adding that mortgage holders would feel little relief before "
        "autumn.",
        "The finance ministry declined to comment on the decision, as is customary, but officials said the "
        "budget to be presented in {month} assumed rates would fall to about {pct} percent by the end of "
        "{year}.",
        "Banks have already begun trimming fixed-rate offers. The average two-year deal now costs {pct} "
        "percent, according to a price comparison site, the lowest since {month} {year}.",
    )),
    Template(
        "economy",
        ("{company} profits beat forecasts", "{company} to cut {big} jobs after weak quarter"),
        ("an analyst at a research firm", "a fund manager who holds the shares", "a union representative"),
        (
        "{company} reported a {pct} percent rise in quarterly operating profit on {day}, beating analysts' "
        "forecasts, as higher prices made up for weaker sales volumes in its home market.",
    ), (
        "Revenue reached {money}, roughly in line with expectations. The chief executive, {person}, said "
        "demand had started to recover in {month} after a slow start to the year. \"Our customers are "
        "cautious, not gone,\" {person} {say}.",
        "The company confirmed plans to close a plant near {city} with the loss of {big} jobs by the end of "
        "{year}. It said it was in talks with unions about redeployment and voluntary departures.",
        "Shares rose {pct} percent in early trading. {role} said the figures were better than feared but "
        "that the outlook for the second half was \"no more than a hope\".",
        "The group agreed to buy a smaller rival for {money} last year, a deal that regulators are still "
        "reviewing. A decision is expected in {month}, and {person2} {say} the company was confident of "
        "approval.",
        "Costs for energy and freight fell by {pct} percent over the quarter. Management said savings from "
        "a restructuring programme would reach {money} a year once complete.",
    )),
    Template(
        "weather",
        ("Storm brings flooding to {city}", "Heavy rain closes roads around {city}"),
        ("a forecaster at the national weather service", "the head of the fire brigade",
         "a hydrologist at the university"),
        (
        "Torrential rain flooded streets and basements across {city} on {day}, closing {n} roads and "
        "disrupting trains as a storm moved in from the west faster than forecasters had expected.",
    ), (
        "The weather service recorded {n} millimetres of rain in six hours at its station near {place}, "
        "more than usually falls in the whole of {month}. \"The ground was already saturated,\" {role} "
        "{say}.",
        "Firefighters were called out {big} times overnight, mostly to pump water from cellars. No one was "
        "seriously hurt, though {n} people were rescued from cars stuck in an underpass.",
        "Residents near the river were told to move valuables upstairs. \"We have seen this before, but not "
        "this fast,\" {person} {say}, standing outside a bakery where the water had reached the counter.",
        "Insurers estimated early claims at {money}. The regional government said it would set up an "
        "emergency fund and asked the national government to declare a natural disaster.",
        "More rain is expected on {day}, though less intense. Schools in {n} districts will stay closed, "
        "and the railway operator advised passengers to postpone journeys that were not essential.",
    )),
    Template(
        "weather",
        ("Heatwave sets {month} record in {city}", "Drought warning as reservoirs fall to {n}%"),
        ("a forecaster at the national weather service", "a climate scientist at the university",
         "the regional farmers' union"),
        (
        "Temperatures reached {n} degrees in {city} on {day}, the highest ever recorded there in {month}, "
        "and forecasters said the heat would last at least until the weekend.",
    ), (
        "Hospitals reported a rise in admissions of elderly patients, and the city opened {n} cooled public "
        "halls. \"Check on your neighbours,\" {person}, the head of the health authority, {say}.",
        "Reservoirs in the region are at {n} percent of capacity. The water company introduced a ban on "
        "garden hoses, its first in {n} years, and asked businesses to cut use by {pct} percent.",
        "Farmers said the wheat harvest would be down sharply. {person2}, who grows barley on {big} "
        "hectares, said the grain had ripened two weeks early and the yield was \"the worst I have seen\".",
        "{role} said such spells had become more frequent and longer. Climate records show {n} of the ten "
        "hottest summers in the region have occurred since {year}.",
        "Train operators cut speed limits on lines where rails risk buckling, adding delays of up to {n} "
        "minutes, and the authorities banned barbecues in forests and parks.",
    )),
    Template(
        "culture",
        ("{city} festival opens with {art}", "Critics divided over {art}"),
        ("a critic for a national newspaper", "the festival's founder", "a local gallery owner"),
        (
        "The {city} arts festival opened on {day} with {art}, the first of {n} events planned over three "
        "weeks in venues from {place} to a disused factory on the edge of town.",
    ), (
        "\"We wanted to start with something that surprises people,\" the festival's director, {person}, "
        "{say}. The programme was put together in less than a year after the previous director resigned.",
        "Early reviews were mixed. One critic called the opening \"brave and uneven\"; another praised the "
        "staging but said the second half dragged. Tickets for the first {n} nights have sold out.",
        "The festival's budget is {money}, about a third of it from the city. {person2}, a councillor, said "
        "the event brought in {big} visitors last year and paid for itself several times over.",
        "Musicians and stagehands reached a deal on pay in {month} after talks that lasted most of the "
        "spring. The agreement raises fees by {pct} percent and limits rehearsals to {n} hours a day.",
        "Among the highlights later in the month are a new work by a local composer and readings by {n} "
        "novelists. {role} said the fringe programme was \"the real reason to come\".",
    )),
    Template(
        "culture",
        ("Museum in {city} reopens after {n}-year renovation", "{person} wins book prize"),
        ("the museum's chief curator", "a spokeswoman for the city", "a historian at the university"),
        (
        "The city museum in {city} reopened on {day} after a renovation that took {n} years and cost "
        "{money}, with new galleries, a glass roof over the courtyard and {big} objects that had been in "
        "storage.",
    ), (
        "\"People will find a building that finally works,\" the museum's director, {person}, {say}. Queues "
        "formed before the doors opened, and the first {big} visitors were let in free.",
        "The renovation ran {n} months late and over budget, after asbestos was found in the east wing. The "
        "city auditor said in {month} that the project had been poorly managed in its early years.",
        "The centrepiece is {art}. Curators spent {n} years tracing the works, some of which had been sold "
        "abroad and were returned on long-term loan.",
        "{person2}, a teacher who brought a class of {n} pupils, said the new children's galleries were the "
        "best thing about the building. \"They can touch things. That is how you learn,\" she {say}.",
        "Admission will cost {n} euros, with free entry on the first {day} of each month. {role} said the "
        "museum hoped to attract {big} visitors in its first year.",
    )),
    Template(
        "tech",
        ("{company} unveils {product}", "{company} bets on {product}"),
        ("an analyst at a research firm", "a technology columnist", "a consumer group"),
        (
        "{company} unveiled {product} at an event in {city} on {day}, its first new device in {n} years and "
        "a bet that customers will pay more for things that last.",
    ), (
        "The company said the product would go on sale in {month} at a price of {money}, and that it would "
        "offer repairs and software updates for {n} years. \"Durability is the feature,\" {person} {say}.",
        "Analysts were cautious. {role} said the market was crowded and the price high. \"It is a good "
        "product looking for a reason to exist,\" {person2} {say}.",
        "The launch follows a difficult year in which {company} cut {big} jobs and abandoned a partnership "
        "with a larger rival after talks on sharing factories broke down in {month}.",
        "Privacy campaigners asked how much data the device would collect. The company said all processing "
        "took place on the device and that nothing was sent to its servers without consent.",
        "Shares closed up {pct} percent. Pre-orders opened at midnight, and the company said {big} people "
        "had registered interest in the first hour.",
    )),
    Template(
        "tech",
        ("Lawmakers back new rules on AI", "Data breach at {company} exposes {big} customers"),
        ("a digital rights group", "a law professor at the university", "an industry association"),
        (
        "Lawmakers approved new rules on the use of artificial intelligence in hiring and credit decisions "
        "on {day}, by {n} votes to {n}, after months of negotiation between the parliament and the "
        "government.",
    ), (
        "Companies will have to tell people when an automated system has been used to decide about them, "
        "and to offer a human review. Fines can reach {pct} percent of annual turnover.",
        "\"This is about trust,\" {person}, the minister responsible, {say}. Business groups said the rules "
        "were workable but warned that smaller firms would need time and guidance.",
        "{role} said the law left too many exceptions. \"The hardest cases are the ones it does not "
        "cover,\" {person2} {say}, pointing to systems used by police and border agencies.",
        "The rules take effect in {month} {year}. A new office with {n} staff will supervise them, and the "
        "government has promised a review after two years.",
        "The vote came a week after a breach at {company} exposed the records of {big} customers. The "
        "company apologised and said it had agreed to pay for credit monitoring for those affected.",
    )),
    Template(
        "local politics",
        ("{city} council approves budget", "{city} council votes to close {place}"),
        ("a spokeswoman for the council", "the mayor's deputy", "a residents' association"),
        (
        "The {city} city council approved a budget of {money} for next year on {day} night, after a debate "
        "that ran past midnight and a last-minute deal on spending for libraries and bus routes.",
    ), (
        "The deal between the mayor's coalition and {n} opposition members restored funding for {place}, "
        "which had been due to close in {month}. \"We listened,\" the mayor, {person}, {say}.",
        "Property taxes will rise by {pct} percent, the first increase in {n} years. {person2}, who leads "
        "the opposition, said the rise was unavoidable but that the council had wasted money on consultants.",
        "About {big} residents signed a petition against cuts to bus services. {role} said the final budget "
        "protected the busiest routes but reduced evening services on {n} lines.",
        "The budget includes {money} for repairs to schools and for {n} new teaching assistants. Teachers' "
        "representatives welcomed the money but said it did not make up for a decade of underinvestment.",
        "The council also voted, by {n} votes to {n}, to study a congestion charge in the centre. A "
        "decision is expected in {month} after public hearings.",
    )),
    Template(
        "local politics",
        ("New tram line for {city} approved", "Residents fight plans for {place}"),
        ("the mayor's deputy", "a spokesman for the regional government", "a cycling campaign"),
        (
        "Plans for a new tram line linking {place} with the university were approved in {city} on {day}, "
        "ending a dispute that had divided the city for {n} years.",
    ), (
        "The line will run {n} kilometres and cost {money}, with construction due to start in {month}. "
        "\"This will change how people move around,\" the transport councillor, {person}, {say}.",
        "Shopkeepers along the route fear months of disruption. {person2}, who runs a hardware shop, said "
        "sales fell by {pct} percent the last time the street was dug up.",
        "The regional government agreed to pay half the cost after talks that lasted through the winter. "
        "{role} said the agreement was \"the best we could get\".",
        "Opponents have threatened to take the plans to court, arguing that {big} trees would be cut down. "
        "The city says it will plant {big} new ones along the route.",
        "The first trams are expected to run in {year}. Until then, {n} bus routes will be changed, and a "
        "public meeting is planned for {day} evening.",
    )),
    Template(
        "labour",
        ("Nurses accept pay offer", "Dock workers strike in {city} over pay"),
        ("a labour economist at the university", "a former union leader", "an employers' federation"),
        (
        "Nurses in the {city} region voted on {day} to accept a pay offer worth {pct} percent over two "
        "years, ending a dispute that had led to {n} days of strikes since {month}.",
    ), (
        "The union said {pct} percent of members who voted backed the deal. \"It is not everything we asked "
        "for, but it is real money,\" its regional secretary, {person}, {say}.",
        "The agreement came after talks brokered by a mediator, who met both sides {n} times. The health "
        "authority said it would cost {money} a year and be paid for by delaying some building projects.",
        "{person2}, a nurse for {n} years, said staff shortages were the real problem. \"Pay brings people "
        "back, but only if the wards are safe,\" she {say}.",
        "In the port, dock workers walked out on {day} after talks on a new contract broke down. The "
        "employers said their offer of {pct} percent was final; the union called it an insult and said the "
        "strike would last {n} days.",
        "{role} said the wave of disputes reflected two years of prices rising faster than wages, and "
        "predicted more settlements like the nurses' before the end of {year}.",
    )),
)

# Paragraphs any template may draw on once its own run out.
GENERIC: tuple[str, ...] = (
    "{person} {say} on {day} that more details would be published in {month}, and that the public would be "
    "consulted before any final decision.",
    "Figures released on {day} showed that {big} people in the {city} area were affected, {pct} percent "
    "more than a year earlier, though officials cautioned that the method of counting had changed.",
    "\"There is no simple answer to this,\" {role} {say}. \"Anyone who tells you otherwise is selling "
    "something.\"",
    "The issue has come up repeatedly at council meetings since {month} {year}, and a committee of {n} "
    "members has been asked to report back before the summer.",
    "Local businesses gave a mixed reaction. Some welcomed the news; others said they had not been asked. "
    "\"We read about it in the paper,\" said {person2}, who runs a cafe near {place}.",
    "A poll of {big} residents published last month found that {n} percent supported the idea, {n} percent "
    "were against it and the rest had no opinion.",
    "The last time something similar happened, in {year}, it took {n} months before things returned to "
    "normal, according to records kept by the city.",
    "Officials said they would review the situation on {day} and publish an update on their website. A "
    "hotline has been set up for questions.",
    "Not everyone was convinced. {person2} said the same promises had been made in {year} and again in "
    "{month} last year, and that people would believe it when they saw it.",
    "The opposition accused the authorities of acting too late. \"Everybody could see this coming,\" one of "
    "its spokesmen said on {day}, calling for an independent review within {n} weeks.",
    "According to {role}, the cost could reach {money} over {n} years, although much depends on decisions "
    "that have not yet been taken.",
    "Social media filled with pictures and comments within hours. A video posted by a resident of {city} was "
    "viewed more than {big} times by the evening.",
    "In a letter to residents, {person} wrote that the coming months would be difficult but that the plan "
    "was the right one, and promised a public meeting in {month}.",
    "Similar measures were taken in {n} other cities last year, with mixed results. A report published in "
    "{month} found that only about half had met their targets.",
    "The regional newspaper's own survey of {n} shops and businesses found most owners cautiously "
    "optimistic, though several said rising rents worried them more than anything discussed this week.",
    "{person} is expected to answer questions from councillors on {day}. Opposition members have said they "
    "will ask for the full figures to be published.",
)


class Filler:
    """Fills ``{slot}`` placeholders: fixed slots keep one value per article, the others vary at each use."""

    _SLOT = re.compile(r"\{(\w+)\}")
    _START = re.compile(r"(^|[.!?]\"? )([a-z])")

    def __init__(self, rng: random.Random, roles: tuple[str, ...]) -> None:
        self.rng = rng
        pick = rng.choice
        team, team2 = rng.sample(TEAMS, 2)
        self.fixed = {
            "city": pick(CITIES), "person": _name(rng), "person2": _name(rng), "team": team, "team2": team2,
            "company": pick(COMPANIES), "product": pick(PRODUCTS), "place": pick(PLACES),
            "art": pick(ARTWORKS), "role": pick(roles),
        }

    def __call__(self, text: str) -> str:
        filled = self._SLOT.sub(lambda m: self._value(m.group(1)), text)
        # "{role} said ..." may open a sentence
        return self._START.sub(lambda m: m.group(1) + m.group(2).upper(), filled)

    def _value(self, key: str) -> str:
        rng = self.rng
        if key in self.fixed:
            return self.fixed[key]
        if key == "n":
            return str(rng.randint(2, 48))
        if key == "big":
            return f"{rng.randint(120, 48000):,}"
        if key == "pct":
            return f"{rng.uniform(0.4, 9.8):.1f}"
        if key == "money":
            return f"{rng.randint(2, 900)} million euros"
        if key == "day":
            return rng.choice(WEEKDAYS)
        if key == "month":
            return rng.choice(MONTHS)
        if key == "year":
            return str(rng.randint(2009, 2024))
        if key == "say":
            return rng.choice(SAY)
        raise KeyError(key)


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _target_words(rng: random.Random) -> int:
    """Article length: a triangle from 300 to 900 words with its mode at 600 (mean 600)."""
    return round(rng.triangular(300, 900, 600))


def _words(paragraphs: list[str]) -> int:
    return sum(len(p.split()) for p in paragraphs)


def other_article(rng: random.Random, i: int) -> dict[str, str]:
    template = rng.choice(TEMPLATES)
    fill = Filler(rng, template.roles)
    target = _target_words(rng)
    paragraphs = [fill(rng.choice(template.leads))]
    pool: list[str] = []
    while _words(paragraphs) < target:
        if not pool:  # the template's own paragraphs first, then generic ones, then again with new values
            pool = list(template.body) + rng.sample(GENERIC, 6)
            rng.shuffle(pool)
        paragraphs.append(fill(pool.pop()))
    return _record(rng, i, fill(rng.choice(template.titles)), "\n\n".join(paragraphs), template.section)


_WEEKDAY = re.compile(r"\b(?:" + "|".join(WEEKDAYS) + r")\b")
_MONTH = re.compile(r"\b(?:" + "|".join(MONTHS) + r")\b")
_NUMBER = re.compile(r"(?<![\w.,])\d{1,3}(?:,\d{3})+(?![\w,])|(?<![\w.,])\d+(?![\w.,]\d)")


def vary(text: str, rng: random.Random) -> str:
    """Change weekdays, months and numbers; years move by at most one so that datelines stay plausible."""
    text = _WEEKDAY.sub(lambda m: rng.choice(WEEKDAYS), text)
    text = _MONTH.sub(lambda m: rng.choice(MONTHS), text)

    def number(m: re.Match[str]) -> str:
        raw = m.group(0)
        value = int(raw.replace(",", ""))
        if 1990 <= value <= 2030 and "," not in raw:
            return str(value + rng.choice((-1, 0, 0, 1)))
        new = max(1, round(value * rng.uniform(0.6, 1.6)))
        return f"{new:,}" if "," in raw else str(new)

    return _NUMBER.sub(number, text)


@dataclass(frozen=True)
class WarText:
    title: str
    paragraphs: tuple[str, ...]


def war_texts(root: Path = ROOT) -> list[WarText]:
    """The project's own war-and-talks articles (samples in every format, gold articles), as paragraphs."""
    paths = [p for p in sorted((root / "samples").iterdir()) if p.name != "README.md"]
    paths += sorted((root / "eval" / "gold").glob("*/article.json"))
    texts = []
    for path in paths:
        if any(tag in str(path) for tag in NOT_WAR):
            continue
        article = read_path(path)
        paragraphs = tuple(p.strip() for p in article.text.split("\n\n") if p.strip())
        texts.append(WarText(article.title or paragraphs[0][:80], paragraphs))
    if not texts:
        raise SystemExit(f"no war-and-talks texts found under {root}/samples and {root}/eval/gold")
    return texts


def war_article(rng: random.Random, i: int, texts: list[WarText]) -> dict[str, str]:
    """A base article (its lead kept first) plus paragraphs borrowed from others, trimmed to the target."""
    base = rng.choice(texts)
    target = _target_words(rng)
    paragraphs = list(base.paragraphs)
    while _words(paragraphs) > target and len(paragraphs) > 4:
        paragraphs.pop()
    while _words(paragraphs) < target:
        donor = rng.choice(texts)
        if len(donor.paragraphs) > 1:
            paragraphs.insert(rng.randint(2, len(paragraphs)), rng.choice(donor.paragraphs[1:]))
    text = vary("\n\n".join(paragraphs), rng)
    return _record(rng, i, vary(base.title, rng), text, "world")


def _record(rng: random.Random, i: int, title: str, text: str, section: str) -> dict[str, str]:
    year, month, day = rng.randint(2023, 2025), rng.randint(1, 12), rng.randint(1, 28)
    outlet = rng.choice(OUTLETS)
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60]
    host = re.sub(r"[^a-z]", "", outlet.lower())
    return {
        "title": title,
        "outlet": outlet,
        "author": _name(rng),
        "published": f"{year}-{month:02d}-{day:02d}",
        "url": f"https://{host}.example/{section.replace(' ', '-')}/{year}/{month:02d}/{slug}-{i}",
        "text": text,
    }


def is_war(i: int, share: float) -> bool:
    """Spread the war articles evenly: exactly round(N * share) of the first N, for every N."""
    return int((i + 1) * share + 0.5) > int(i * share + 0.5)


def generate(n: int, seed: int = 1, war_share: float = 0.1) -> Iterator[dict[str, str]]:
    texts = war_texts() if war_share > 0 else []
    seen: set[str] = set()
    for i in range(n):
        for attempt in range(100):  # a repeat is astronomically rare; redraw rather than emit a duplicate
            rng = random.Random(f"{seed}:{i}:{attempt}")
            record = war_article(rng, i, texts) if is_war(i, war_share) else other_article(rng, i)
            if record["text"] not in seen:
                break
        else:
            raise RuntimeError(f"could not make article {i} distinct")
        seen.add(record["text"])
        yield record


def write_corpus(n: int, out: Path, seed: int = 1, war_share: float = 0.1) -> dict[str, float]:
    """Write the corpus; returns its counts (articles, war articles, words, average words)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    words = war = 0
    tmp = out.with_name(out.name + ".part")
    with tmp.open("w", encoding="utf-8") as fh:
        for i, record in enumerate(generate(n, seed, war_share)):
            words += len(record["text"].split())
            war += is_war(i, war_share)
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    tmp.replace(out)  # a half-written corpus is never mistaken for a finished one
    return {"articles": n, "war": war, "words": words, "avg_words": words / n if n else 0.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of articles")
    parser.add_argument("out", type=Path, help="output JSONL file")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--war-share", type=float, default=0.1)
    args = parser.parse_args()
    if args.n < 1 or not 0 <= args.war_share <= 1:
        parser.error("N must be positive and --war-share between 0 and 1")
    c = write_corpus(args.n, args.out, args.seed, args.war_share)
    print(f"{args.out}: {c['articles']} articles ({c['war']} war/talks, {c['war'] / c['articles']:.1%}), "
          f"{c['words']} words, {c['avg_words']:.0f} words per article on average")


if __name__ == "__main__":
    main()
