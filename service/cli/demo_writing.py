"""Plausible written responses for the demo's simulated candidates.

The simulation builds written answers out of the scoring rules' own patterns, which scores
them correctly but reads like gibberish ("Please note: verifa identity."). The demo stores
these texts instead, one per quality tier (a strong reply, one that misses several points,
a weak one), so raters trying the double-rating workflow read something a person could have
written. Items without texts here keep the simulated ones. All names are the items'
synthetic patients.
"""

from __future__ import annotations

from typing import Literal

Tier = Literal["strong", "partial", "weak"]

DEMO_RESPONSES: dict[str, dict[Tier, str]] = {
    "COM-A-14": {
        "strong": (
            "Dear Ms. Whitfield,\n\n"
            "Thank you for your message, and I hope your knee is healing well. I can help you "
            "get your surgery records to Dr. Brooks before your August visit.\n\n"
            "Timing: we answer every request for your own records within 30 calendar days, and "
            "usually much sooner. Before we release anything, we need to confirm who you are: "
            "please log in to the patient portal, or bring a government-issued photo ID to our "
            "office.\n\n"
            "Delivery: we can send an electronic copy through the patient portal or by an "
            "encrypted email link. If you prefer, we can also send the copy straight to "
            "Dr. Brooks's office.\n\n"
            "Cost: our fee is cost-based, a flat $6.50 for an electronic copy. We never charge "
            "a search or retrieval fee.\n\n"
            "Your MRI: I am not able to explain test results. Your surgeon or Dr. Brooks can go "
            "over the report with you, and it will be included in your copy.\n\n"
            "Marcus's records: we can only release another adult's records at his own request "
            "or with his signed authorization. He can call us or use the portal, and we will "
            "gladly help him.\n\n"
            "If you have any questions, please call me at 555-0140.\n\n"
            "Kind regards,\nRelease of Information Office\nRiverbend Community Hospital"
        ),
        "partial": (
            "Hello Ms. Whitfield,\n\n"
            "Thanks for writing. We can get your surgery records ready for you. Requests like "
            "yours are completed within 30 days. We will send your copy through the patient "
            "portal once it is ready, so you can forward it to your new doctor.\n\n"
            "There is a small fee for copies. I am sorry your last hospital charged you so "
            "much.\n\n"
            "About your MRI, it is best to ask your doctor what the results mean because I "
            "cannot give medical advice.\n\n"
            "For your husband, we will need to hear from him directly.\n\n"
            "Let us know if you need anything else and we will be happy to help you with your "
            "records request.\n\n"
            "Thank you,\nRelease of Information"
        ),
        "weak": (
            "Hi Dana, we got your email. Records take a while to process, usually a couple of "
            "months. We can email everything to you and Marcus once it's done. Your MRI showed "
            "a torn ligament and a small tear in the meniscus, which is pretty common after a "
            "knee injury. The fee depends on how many pages there are and how long the search "
            "takes. Thanks."
        ),
    },
    "COM-A-15": {
        "strong": (
            "Dr. Vasquez-Pryor,\n\n"
            "The chart for Harold Benning, MRN 5520147, encounter 90033861 (admitted June 1, "
            "discharged June 5, 2026), is missing its discharge summary. Everything else on "
            "the chart is complete.\n\n"
            "Under the medical staff rules the summary is due within 30 days of discharge, so "
            "the chart becomes delinquent after July 5, 2026. Could you please dictate and sign "
            "the discharge summary before then?\n\n"
            "Thank you for your help. If you have any questions, please call me at "
            "extension 4412.\n\n"
            "Health Information Management"
        ),
        "partial": (
            "Hi Dr. Vasquez-Pryor,\n\n"
            "I am reviewing charts in HIM and found that Harold Benning's chart still needs a "
            "discharge summary. Please complete it when you can so the chart can be closed.\n\n"
            "Thank you,\nHIM, ext. 4412"
        ),
        "weak": (
            "Dr. Vasquez-Pryor, this is a reminder that you have another incomplete chart. "
            "Harold Benning (SSN 912-55-0384, 61 Tamarack Road, Millbrook, phone 555-0117) is "
            "missing a summary. This keeps happening and it is the third time this quarter. "
            "Please fix it."
        ),
    },
    "COM-B-14": {
        "strong": (
            "Dear Mr. Reyes,\n\n"
            "Thank you for your message. I am glad to help you get copies of your records from "
            "Dr. Ahn's clinic and from your hospital stay in May.\n\n"
            "Timing: we answer requests for your own records within 30 calendar days, and "
            "often sooner. Before we release them, we will verify your identity with your "
            "patient-portal login or a government-issued photo ID.\n\n"
            "Format: we can place the records on an encrypted USB drive that the clinic "
            "supplies, or send them through the patient portal or an encrypted email link. "
            "Paper copies can also be mailed or picked up.\n\n"
            "Cost: our fee is cost-based, a flat $6.50 for an electronic copy, or the cost of "
            "the USB drive. We never charge a search or retrieval fee.\n\n"
            "Your A1c result: I am not able to discuss lab results, but Dr. Ahn's office can "
            "go over it with you, and it will be in your copy.\n\n"
            "Sofia's records: because Sofia is an adult, we can release her records only at "
            "her own request or with her signed authorization. She is welcome to contact us "
            "directly.\n\n"
            "Please call me at 555-0188 with any questions.\n\n"
            "Sincerely,\nHealth Information Office\nLakeview Family Health Center"
        ),
        "partial": (
            "Hello Mr. Reyes,\n\n"
            "Thank you for reaching out. We can provide copies of your clinic and hospital "
            "records. We usually finish requests within 30 days. We can send them through the "
            "patient portal.\n\n"
            "Our fees are reasonable and we will let you know the total before we send "
            "anything. For your lab results, please ask Dr. Ahn's nurse.\n\n"
            "For your daughter's records, she will need to contact us herself.\n\n"
            "Thank you,\nHealth Information Office"
        ),
        "weak": (
            "Hi Tomas, we can email your records and Sofia's records from her appendicitis "
            "stay. Your last A1c was 9.2%, which is high, so you should watch your sugar. "
            "Records take about 60 days and the retrieval fee is $25. Thanks."
        ),
    },
    "COM-B-15": {
        "strong": (
            "Dr. Ferreira,\n\n"
            "The telephone order you gave on September 8, 2026, at 10:40 p.m. for intravenous "
            "potassium chloride, for Evelyn Marsh, MRN 6610384, encounter 70458122, has not "
            "been authenticated yet.\n\n"
            "Under the medical staff rules, verbal and telephone orders must be signed, dated "
            "and timed within 48 hours, so this one needs your signature by 10:40 p.m. today. "
            "Could you please authenticate it in the EHR before then?\n\n"
            "Thank you very much. Please call me at extension 2270 if you have any questions.\n"
            "\nHealth Information Management"
        ),
        "partial": (
            "Hello Dr. Ferreira,\n\n"
            "Evelyn Marsh's chart has a telephone order that still needs your signature. "
            "Please sign it in the EHR when you have a moment.\n\n"
            "Thanks,\nHIM, ext. 2270"
        ),
        "weak": (
            "Dr. Ferreira, you are late again with an order signature, like last month. "
            "Evelyn Marsh (SSN 934-20-7716, plan ID QHP-30418876) has an unsigned order. "
            "Sign it."
        ),
    },
}


def demo_response(item_id: str, tier: Tier) -> str | None:
    """The plausible text of ``tier`` for an item, or None when the demo has none."""
    return DEMO_RESPONSES.get(item_id, {}).get(tier)
