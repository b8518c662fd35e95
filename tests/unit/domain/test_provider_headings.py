"""The provider printed in a certificate's heading, however the heading is set: in capitals with
a possessive, over two lines, in lower case as a logo, with an event word in the name, as an
acronym over its spelt-out name, or under a label on the line above."""

from __future__ import annotations

import pytest

from domain.credits.fields import find_fields

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "provider"),
    [
        (  # capitals with a possessive
            "MERCY'S CHILDREN'S CLINIC\nCertificate of Attendance\nJane Doe",
            "MERCY'S CHILDREN'S CLINIC",
        ),
        (  # a two-line heading in capitals
            "OAKWOOD GENERAL HOSPITAL\nDIVISION OF CARDIOLOGY\nCertificate of Attendance",
            "OAKWOOD GENERAL HOSPITAL DIVISION OF CARDIOLOGY",
        ),
        (  # a unit under a name in title case is not part of it
            "Mercy General Hospital\nDepartment of Surgery\nCME Certificate",
            "Mercy General Hospital",
        ),
        (  # a two-line heading in title case
            "Lakeshore Vascular\nImaging Institute\nCertificate of Completion",
            "Lakeshore Vascular Imaging Institute",
        ),
        (  # a logo set in lower case
            "northfield sonography partners\ncertificate\nThis confirms that Jane Doe completed",
            "northfield sonography partners",
        ),
        (  # a logo set in lower case, with its legal suffix
            "acme imaging devices, inc.\ncertificate of training\nJane Doe",
            "acme imaging devices, inc",
        ),
        (  # a logo in lower case with its legal suffix in capitals (or misread so)
            "northfield imaging, LLC\ncertificate of training\nJane Doe",
            "northfield imaging, LLC",
        ),
        (
            "northfield imaging, IIc\ncertificate of training\nJane Doe",
            "northfield imaging, IIc",
        ),
        (  # a certificate number read into the heading's line
            "Prairie Imaging Society, Inc. No. PI20931\nCertificate of Completion\nJane Doe",
            "Prairie Imaging Society, Inc.",
        ),
        (  # an event word inside an organisation's name
            "Prairie Echo Workshop, LLC\nCertificate of Completion\nJane Doe",
            "Prairie Echo Workshop, LLC",
        ),
        (  # an event word inside an organisation's name, the event under it
            "Summit Imaging Society\nFall Symposium 2025\nCertificate of Attendance",
            "Summit Imaging Society",
        ),
        (  # spaced-out lettering ends the heading
            "GREAT LAKES ULTRASOUND SOCIETY\nAutumn Meeting\nC E R T I F I C A T E\nJane Doe",
            "GREAT LAKES ULTRASOUND SOCIETY",
        ),
        (  # a record rather than a certificate
            "St. Anne's Imaging Ctr\nContinuing Education Attendance Record\nJane Doe",
            "St. Anne's Imaging Ctr",
        ),
        (  # an acronym over the name it stands for
            "ANMS\nContinuing Education Transcript\nAmerican Nuclear Medicine Society\nName: X",
            "American Nuclear Medicine Society",
        ),
        (  # the name under the document's kind, the logo's acronym misread beside it
            "AN MS Continuing Education Transcript\nAmerican Nuclear Medicine Society\nName: X",
            "American Nuclear Medicine Society",
        ),
        (  # a label alone on its line, the name under it
            "Jane Doe\nName\nTraining Center\nHarbor Resuscitation Training Ctr\nCE: 4 hours",
            "Harbor Resuscitation Training Ctr",
        ),
        (  # a heading in capitals over three lines
            "NORTHERN PLAINS\nSONOGRAPHY EDUCATION\nCONSORTIUM\nCertificate of Completion\n"
            "Jane Doe",
            "NORTHERN PLAINS SONOGRAPHY EDUCATION CONSORTIUM",
        ),
        (  # an event word ends the name's second line, the event named after it under it
            "GREAT LAKES\nVASCULAR SUMMIT\n2025 Annual Meeting - Duluth, Minnesota\n"
            "Certificate of Completion\nJane Doe",
            "GREAT LAKES VASCULAR SUMMIT",
        ),
        (  # a logo's name in spaced capitals, the rest of it beside a tagline
            "M E R I D I A N\nIMAGING ACADEMY \u00b7 advancing imaging education\n"
            "CERTIFICATE OF COMPLETION\nJane Doe",
            "MERIDIAN IMAGING ACADEMY",
        ),
        (  # a name in capitals with its second line beside a tagline
            "LOWCOUNTRY\nEducation \u2022 Research \u2022 Care\nVASCULAR SYMPOSIUM\n"
            "Certificate of Completion\nJane Doe",
            "LOWCOUNTRY VASCULAR SYMPOSIUM",
        ),
        (  # a tagline read into the row of a name in capitals (its bullets read as "*")
            "LOWCOUNTRY Education * Research * Care\nVASCULAR SYMPOSIUM\n"
            "Certificate of Completion\nJane Doe",
            "LOWCOUNTRY VASCULAR SYMPOSIUM",
        ),
        (  # no heading: the name at the foot of the page, over its office and a file number
            "Certificate\nof Completion\nJane Doe\ncompleted the on-demand webinar\n"
            "Thyroid Nodules\nViewed August 23, 2026\n1.75 SDMS CME credits\n"
            "This activity has been approved by the SDMS for 1.75 SDMS CME credits.\n"
            "Harbor Point Ultrasound Education\nOnline Learning Office\nSDMS File # 848113\n"
            "Robert Alvarez, MD\nCourse Director",
            "Harbor Point Ultrasound Education",
        ),
        (  # OCR reads the name at the foot and the signer beside it as one row
            "Certificate\nof Completion\nJane Doe\ncompleted the on-demand webinar\n"
            "Thyroid Nodules\nViewed August 23, 2026\n1.75 SDMS CME credits\n"
            "Harbor Point Ultrasound Education Robert Alvarez, MD\nOnline Learning Office\n"
            "Robert Alvarez, MD\nCourse Director",
            "Harbor Point Ultrasound Education",
        ),
    ],
)
def test_the_provider_is_read_from_any_kind_of_heading(text: str, provider: str) -> None:
    assert find_fields(text).provider == provider


@pytest.mark.parametrize(
    "text",
    [
        "Spring Ultrasound Meeting\nCertificate of Attendance\nJane Doe",
        "certificate\nThis confirms that Jane Doe completed",
        "Fall Symposium 2025\nCertificate of Attendance\nJane Doe",
        "Certificate of Attendance\nJane Doe\nSociety Guidelines for Echo",
        # the signer and a role at the foot of the page
        "Certificate of Completion\nJane Doe\nThyroid Nodules\nPeter Novak\nProgram Director",
        "Certificate of Completion\nJane Doe\nThyroid Nodules\nContinuing Medical Education",
        "Certificate of Completion\nJane Doe\nThyroid Nodules\nApproved by the American Society",
    ],
)
def test_event_names_and_certificate_words_are_not_providers(text: str) -> None:
    assert find_fields(text).provider is None
